import { describe, expect, it } from 'vitest';
import { ConnectionState, ConnectionStateMachine, IllegalTransitionError, canTransition } from './connection-state.ts';

describe('ConnectionStateMachine', () => {
  it('starts awaiting authentication', () => {
    expect(new ConnectionStateMachine().state).toBe(ConnectionState.AWAITING_AUTH);
  });

  it('walks the happy path to OPEN and then CLOSED', () => {
    const machine = new ConnectionStateMachine();
    machine.transition(ConnectionState.HANDSHAKING);
    machine.transition(ConnectionState.AUTHENTICATING);
    machine.transition(ConnectionState.OPEN);
    machine.transition(ConnectionState.CLOSING);
    machine.transition(ConnectionState.CLOSED);
    expect(machine.state).toBe(ConnectionState.CLOSED);
  });

  it('refuses to open a connection that never authenticated', () => {
    const machine = new ConnectionStateMachine();
    expect(() => machine.transition(ConnectionState.OPEN)).toThrow(IllegalTransitionError);
    expect(machine.state).toBe(ConnectionState.AWAITING_AUTH);
  });

  it('never leaves CLOSED', () => {
    for (const next of Object.values(ConnectionState)) {
      expect(canTransition(ConnectionState.CLOSED, next)).toBe(false);
    }
  });

  it('reports CLOSING and CLOSED as ending', () => {
    const machine = new ConnectionStateMachine();
    expect(machine.isEnding).toBe(false);
    machine.transition(ConnectionState.CLOSING);
    expect(machine.isEnding).toBe(true);
  });
});
