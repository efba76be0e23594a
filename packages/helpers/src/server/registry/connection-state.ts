import { StateMachine, type TransitionTable } from '../../utils/state-machine.ts';

export { IllegalTransitionError } from '../../utils/state-machine.ts';

/**
 * The life of one connection, as an explicit state machine.
 *
 * ```
 *  upgrade ──► AWAITING_AUTH ──authenticate──► HANDSHAKING ──finished──► AUTHENTICATING ──ok──► OPEN
 *                  │  └──authenticate, no handshake configured───────────►    │                   │
 *                  │ auth timeout (4001)            │ failed (4004)           │ refused (4003)    │ shutdown (1001),
 *                  ▼                                ▼                         ▼                   ▼ heartbeat (4002), ...
 *                CLOSING ◄──────────────────────────┴─────────────────────────┴───────────────────┘
 *                  │
 *                  ▼
 *                CLOSED ◄── the socket closed by itself (from any state)
 * ```
 */
export const ConnectionState = {
  AWAITING_AUTH: 'AWAITING_AUTH',
  AUTHENTICATING: 'AUTHENTICATING',
  HANDSHAKING: 'HANDSHAKING',
  OPEN: 'OPEN',
  CLOSING: 'CLOSING',
  CLOSED: 'CLOSED',
} as const;

export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

const { AWAITING_AUTH, AUTHENTICATING, HANDSHAKING, OPEN, CLOSING, CLOSED } = ConnectionState;

/** Every legal move: from a state to the states it may go to next. */
const TRANSITIONS: TransitionTable<ConnectionState> = {
  [AWAITING_AUTH]: [HANDSHAKING, AUTHENTICATING, CLOSING, CLOSED],
  [HANDSHAKING]: [AUTHENTICATING, CLOSING, CLOSED],
  [AUTHENTICATING]: [OPEN, CLOSING, CLOSED],
  [OPEN]: [CLOSING, CLOSED],
  [CLOSING]: [CLOSED],
  [CLOSED]: [],
};

/** Whether the table allows moving from `from` to `to`. */
export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Owns one connection's state: the only place that writes it.
 */
export class ConnectionStateMachine extends StateMachine<ConnectionState> {
  #hasOpened = false;

  constructor() {
    super(TRANSITIONS, AWAITING_AUTH);
  }

  /** True once the connection is closing or closed: nothing more may be sent or handled. */
  get isEnding(): boolean {
    return this.state === CLOSING || this.state === CLOSED;
  }

  /** True once the connection has been OPEN, even if it is closing now. */
  get hasOpened(): boolean {
    return this.#hasOpened;
  }

  /**
   * Moves to `next`.
   *
   * @throws IllegalTransitionError when the table does not allow the move.
   */
  override transition(next: ConnectionState): void {
    super.transition(next);
    if (next === OPEN) this.#hasOpened = true;
  }
}
