import { SealedError } from '../protocol/sealed-error.ts';
import { UsageErrorCode } from '../protocol/usage-error-codes.ts';

/** Every legal move of a state machine: from a state to the states it may go to next. */
export type TransitionTable<State extends string> = Readonly<Record<State, readonly State[]>>;

/** Thrown when code asks for a move its table does not allow: always a bug in Sealed. */
export class IllegalTransitionError<State extends string = string> extends SealedError {
  constructor(
    readonly from: State,
    readonly to: State,
  ) {
    super(UsageErrorCode.ILLEGAL_TRANSITION, `Illegal state transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * Owns one state and the table of its legal moves: the only place that
 * writes the state. The connection on the server and the client SDK each
 * run one.
 */
export class StateMachine<State extends string> {
  #state: State;

  constructor(
    private readonly table: TransitionTable<State>,
    initial: State,
  ) {
    this.#state = initial;
  }

  get state(): State {
    return this.#state;
  }

  /** Whether the table allows moving from the current state to `next`. */
  can(next: State): boolean {
    return this.table[this.#state].includes(next);
  }

  /**
   * Moves to `next`.
   *
   * @throws IllegalTransitionError when the table does not allow the move.
   */
  transition(next: State): void {
    if (!this.can(next)) throw new IllegalTransitionError(this.#state, next);
    this.#state = next;
  }
}
