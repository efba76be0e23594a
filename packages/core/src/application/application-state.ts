import { SealedError, UsageErrorCode } from '@sealed/helpers';

/**
 * The lifecycle of an application.
 *
 * ```
 * CREATED ──start()──► STARTING ──ok──► STARTED ──stop()──► STOPPING ──► STOPPED
 *    │                     │ a component failed                  ▲
 *    └──stop()─────────────┴──────── (started parts stopped) ────┘
 * ```
 */
export const ApplicationState = {
  CREATED: 'CREATED',
  STARTING: 'STARTING',
  STARTED: 'STARTED',
  STOPPING: 'STOPPING',
  STOPPED: 'STOPPED',
} as const;

export type ApplicationState = (typeof ApplicationState)[keyof typeof ApplicationState];

const { CREATED, STARTING, STARTED, STOPPING, STOPPED } = ApplicationState;

const TRANSITIONS: Readonly<Record<ApplicationState, readonly ApplicationState[]>> = {
  [CREATED]: [STARTING, STOPPING],
  [STARTING]: [STARTED, STOPPING],
  [STARTED]: [STOPPING],
  [STOPPING]: [STOPPED],
  [STOPPED]: [],
};

/** Thrown when the application is asked to do something its state does not allow. */
export class ApplicationStateError extends SealedError {
  constructor(
    readonly from: ApplicationState,
    readonly to: ApplicationState,
  ) {
    super(UsageErrorCode.ILLEGAL_TRANSITION, `Application cannot go from ${from} to ${to}`);
    this.name = 'ApplicationStateError';
  }
}

/** Checks a move against the table; throws {@link ApplicationStateError} when it is not allowed. */
export function assertApplicationTransition(from: ApplicationState, to: ApplicationState): void {
  if (!TRANSITIONS[from].includes(to)) throw new ApplicationStateError(from, to);
}
