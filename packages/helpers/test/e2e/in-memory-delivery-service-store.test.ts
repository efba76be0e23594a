import { describe } from 'vitest';
import { InMemoryDeliveryServiceStore } from '../../src/index.ts';
import { deliveryServiceStoreContract } from './delivery-service-store-contract.ts';

describe('InMemoryDeliveryServiceStore', () => {
  deliveryServiceStoreContract(() => Promise.resolve(new InMemoryDeliveryServiceStore()));
});
