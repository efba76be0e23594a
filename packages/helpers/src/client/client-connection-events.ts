import type { HeldTicket } from '../crypto/client-resumption.ts';
import type { ProtocolMessage } from '../protocol/frame-codec.ts';
import type { ConnectionInfo } from './sealed-client-options.ts';
import type { SealedClientError } from './sealed-client-error.ts';

/** What a connection tells its owner, in the order things happen. */
export interface ClientConnectionEvents {
  /** The socket opened; the `authenticate` frame goes out next, unless the upgrade carried it. */
  onAuthenticating(): void;
  /**
   * The credentials went out (`authenticate` at level `none`, in the
   * upgrade or as a frame; the finish above it): from here until the open, `sendEarly` may put emits right
   * behind them, which the server handles once it has opened the connection.
   */
  onCredentialsSent(): void;
  /** Authenticated and, where asked, encrypted. */
  onOpen(info: ConnectionInfo): void;
  /** The server sent a resumption ticket for the next connection. */
  onTicket(ticket: HeldTicket): void;
  /** The socket closed before it opened: the ticket this connection's hello offered got no answer, and may serve the next one. */
  onTicketUnanswered(ticket: HeldTicket): void;
  /** A frame from the server, decoded and checked, once open (and a server `error` before that). */
  onMessage(message: ProtocolMessage): void;
  /** Something that does not end the connection: a frame that was dropped. */
  onProblem(problem: SealedClientError): void;
  /** The connection is given up: a refusal by the server or a security failure. `onClose` follows. */
  onFailure(failure: SealedClientError): void;
  /** The socket closed; `failure` is set when the connection was given up first. */
  onClose(code: number, reason: string, failure: SealedClientError | undefined): void;
}
