import type { EnrollDeviceFn } from '@sealed/helpers';

/** Browsers or devices one name may sign in from, each with its own identity key. */
export const DEMO_MAX_DEVICES_PER_USER = 3;

/**
 * Demo device policy: a name's further browsers are enrolled as they come,
 * up to {@link DEMO_MAX_DEVICES_PER_USER}. A real application would ask an
 * existing device to approve the new one, or check a second factor.
 */
export const demoEnrollDevice: EnrollDeviceFn = () => true;
