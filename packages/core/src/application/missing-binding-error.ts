import { SealedError, UsageErrorCode } from '@sealed/helpers';
import { bindingKeyName } from '../binding-key.ts';

/** Thrown at start when a component needs a binding the application did not provide. */
export class MissingBindingError extends SealedError {
  readonly key: symbol;

  constructor(key: symbol, neededBy: string, hint: string) {
    super(UsageErrorCode.MISSING_BINDING, `${neededBy} needs a binding for "${bindingKeyName(key)}": ${hint}`);
    this.name = 'MissingBindingError';
    this.key = key;
  }
}
