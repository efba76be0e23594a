import { StateMachine, type TransitionTable } from '../utils/state-machine.ts';

/**
 * The states of a `SealedClient`, as an explicit state machine:
 *
 * ```
 * IDLE ─connect()─► CONNECTING ─socket open─► AUTHENTICATING ─connected + handshake─► OPEN
 *   │                  ▲   │ retryable close          │ retryable close                │ retryable close
 *   │                  │   └──────────► RECONNECTING ◄┴────────────────────────────────┘
 *   │                  └─backoff elapsed─────┘
 *   └─► CLOSED ◄─ any state: close(), a fatal refusal, or attempts used up
 *         └─connect()─► CONNECTING
 * ```
 */
export const SealedClientState = {
  IDLE: 'idle',
  CONNECTING: 'connecting',
  AUTHENTICATING: 'authenticating',
  OPEN: 'open',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
} as const;

export type SealedClientState = (typeof SealedClientState)[keyof typeof SealedClientState];

const { IDLE, CONNECTING, AUTHENTICATING, OPEN, RECONNECTING, CLOSED } = SealedClientState;

/** Every legal move: from a state to the states it may go to next. */
const TRANSITIONS: TransitionTable<SealedClientState> = {
  [IDLE]: [CONNECTING, CLOSED],
  [CONNECTING]: [AUTHENTICATING, RECONNECTING, CLOSED],
  [AUTHENTICATING]: [OPEN, RECONNECTING, CLOSED],
  [OPEN]: [RECONNECTING, CLOSED],
  [RECONNECTING]: [CONNECTING, CLOSED],
  [CLOSED]: [CONNECTING, CLOSED],
};

/** Whether the table allows moving from `from` to `to`. */
export function canClientTransition(from: SealedClientState, to: SealedClientState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Owns a client's state: the only place that writes it. */
export class ClientStateMachine extends StateMachine<SealedClientState> {
  constructor() {
    super(TRANSITIONS, IDLE);
  }
}
