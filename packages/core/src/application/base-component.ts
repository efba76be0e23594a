import type { ValueOrPromise } from '@sealed/helpers';

/**
 * A part of an application with a lifecycle: started in registration order
 * when the application starts, stopped in reverse order when it stops.
 * Subclasses are `@injectable()` and get what they need by `@inject(key)`.
 */
export abstract class BaseComponent {
  /** Builds and starts what the component provides. */
  start(): ValueOrPromise<void> {}

  /** Releases everything `start` acquired. */
  stop(): ValueOrPromise<void> {}
}
