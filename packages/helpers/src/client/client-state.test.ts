import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../utils/state-machine.ts';
import { ClientStateMachine, SealedClientState, canClientTransition } from './client-state.ts';

describe('ClientStateMachine', () => {
  it('starts idle', () => {
    expect(new ClientStateMachine().state).toBe(SealedClientState.IDLE);
  });

  it('walks connect, authenticate, open, a retryable close and the reconnect back to open', () => {
    const machine = new ClientStateMachine();
    for (const next of [
      SealedClientState.CONNECTING,
      SealedClientState.AUTHENTICATING,
      SealedClientState.OPEN,
      SealedClientState.RECONNECTING,
      SealedClientState.CONNECTING,
      SealedClientState.AUTHENTICATING,
      SealedClientState.OPEN,
      SealedClientState.CLOSED,
    ]) {
      machine.transition(next);
    }
    expect(machine.state).toBe(SealedClientState.CLOSED);
  });

  it('refuses to open a client whose socket never opened', () => {
    const machine = new ClientStateMachine();
    machine.transition(SealedClientState.CONNECTING);
    expect(() => machine.transition(SealedClientState.OPEN)).toThrow(IllegalTransitionError);
    expect(machine.state).toBe(SealedClientState.CONNECTING);
  });

  it('reaches CLOSED from every state, and leaves it only by connecting again', () => {
    for (const from of Object.values(SealedClientState)) expect(canClientTransition(from, SealedClientState.CLOSED)).toBe(true);
    const exits = Object.values(SealedClientState).filter((to) => to !== SealedClientState.CLOSED && canClientTransition(SealedClientState.CLOSED, to));
    expect(exits).toEqual([SealedClientState.CONNECTING]);
  });
});
