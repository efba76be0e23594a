import { CloseCode } from '../../protocol/close-codes.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ServerEvent } from '../../protocol/event-names.ts';
import { encodeFrame } from '../../protocol/frame-codec.ts';
import { SealedError } from '../../protocol/sealed-error.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import type { HandshakeFn, HandshakeOutcome } from '../encryption-hooks.ts';
import type { AuthenticateFn, AuthenticationResult, ClientConnectedFn } from '../server-hooks.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ClientAnswers } from './client-answers.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import type { RoomRegistry } from '../registry/room-registry.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import { answerThrownError, type ThrownErrorAnswer } from './thrown-error-answer.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';

const AUTH_FAILED_MESSAGE = 'Authentication failed';

/** The answer to refused credentials. */
const AUTH_REFUSAL = Object.freeze({ code: ErrorCode.AUTH_FAILED, message: AUTH_FAILED_MESSAGE, closeCode: CloseCode.AUTH_FAILED });
const HANDSHAKE_FAILED_MESSAGE = 'Encryption handshake failed';

/** The outcome when no handshake is configured: a plaintext client. */
const PLAINTEXT: HandshakeOutcome = Object.freeze({ encrypted: false });

/** What {@link AuthenticationFlow} needs. */
export interface AuthenticationFlowInit {
  authenticateFn: AuthenticateFn;
  handshakeFn: HandshakeFn | undefined;
  requireEncryption: boolean;
  defaultRooms: readonly string[];
  clientConnectedFn: ClientConnectedFn | undefined;
  clients: ClientRegistry;
  rooms: RoomRegistry;
  /** Writes the `connected` frame straight to the socket, outside the transformer. */
  writeConnected: (client: WebSocketClient, text: string) => void;
  metrics: ServerMetrics;
  logger: Logger;
  answers: ClientAnswers;
  now: () => number;
}

/**
 * Takes a client from AWAITING_AUTH to OPEN: runs `authenticateFn`, then the
 * handshake when one is configured, then indexes the user, joins the default
 * rooms, answers `connected` (outside the transformer: it carries what the
 * client needs to finish the key exchange) and tells `clientConnectedFn`.
 */
export class AuthenticationFlow {
  constructor(private readonly init: AuthenticationFlowInit) {}

  /** Handles one `authenticate` frame. */
  async authenticate(client: WebSocketClient, data: unknown): Promise<void> {
    const { init } = this;
    if (client.state === ConnectionState.OPEN) {
      init.answers.error(client, ErrorCode.ALREADY_AUTHENTICATED, 'Connection is already authenticated');
      return;
    }
    if (client.state !== ConnectionState.AWAITING_AUTH) {
      init.answers.error(client, ErrorCode.AUTH_IN_PROGRESS, 'Authentication is already in progress');
      return;
    }
    client.lifecycle.transition(ConnectionState.AUTHENTICATING);

    const authenticated = await this.#runAuthenticateFn(client, data);
    if (client.lifecycle.isEnding) return;
    if (!authenticated.ok) {
      const { answer } = authenticated;
      init.metrics.authFailures += 1;
      init.answers.error(client, answer.code, answer.message);
      init.answers.close(client, answer.closeCode ?? CloseCode.AUTH_FAILED, answer.closeReason);
      return;
    }
    const { result } = authenticated;
    const outcome = await this.#handshake(client, result.userId, data);
    if (client.lifecycle.isEnding) {
      outcome?.session?.dispose?.();
      return;
    }
    if (!outcome) {
      init.metrics.handshakeFailures += 1;
      init.answers.error(client, ErrorCode.ENCRYPTION_REQUIRED, HANDSHAKE_FAILED_MESSAGE);
      init.answers.close(client, CloseCode.ENCRYPTION_REQUIRED, HANDSHAKE_FAILED_MESSAGE);
      return;
    }
    this.#open(client, result, outcome);
  }

  /** Runs `handshakeFn`; `undefined` means the client is refused. */
  async #handshake(client: WebSocketClient, userId: string, data: unknown): Promise<HandshakeOutcome | undefined> {
    const { handshakeFn, requireEncryption } = this.init;
    if (!handshakeFn) return PLAINTEXT;
    client.lifecycle.transition(ConnectionState.HANDSHAKING);
    let outcome: HandshakeOutcome | null | false | undefined;
    try {
      outcome = await handshakeFn({ clientId: client.id, userId, data });
    } catch (error) {
      this.init.logger.warn({ clientId: client.id, err: error }, 'handshakeFn threw; refusing the client');
      return undefined;
    }
    if (!outcome) return undefined;
    if (requireEncryption && !outcome.encrypted) {
      outcome.session?.dispose?.();
      return undefined;
    }
    return outcome;
  }

  /**
   * Runs `authenticateFn`. A refusal (`null`, no user id, or a throw) is
   * answered with AUTH_FAILED and 4003, except that a thrown `SealedError`
   * gives its own code, message and close code.
   */
  async #runAuthenticateFn(
    client: WebSocketClient,
    data: unknown,
  ): Promise<{ ok: true; result: AuthenticationResult } | { ok: false; answer: ThrownErrorAnswer }> {
    try {
      const result = await this.init.authenticateFn({
        clientId: client.id,
        data,
        remoteAddress: client.remoteAddress,
      });
      if (result && typeof result.userId === 'string' && result.userId.length > 0) return { ok: true, result };
      return { ok: false, answer: answerThrownError(undefined, AUTH_REFUSAL) };
    } catch (error) {
      if (!SealedError.is(error)) this.init.logger.warn({ clientId: client.id, err: error }, 'authenticateFn threw; refusing the client');
      return { ok: false, answer: answerThrownError(error, AUTH_REFUSAL) };
    }
  }

  #open(client: WebSocketClient, result: AuthenticationResult, outcome: HandshakeOutcome): void {
    const { init } = this;
    client.clearTimers();
    client.userId = result.userId;
    client.metadata = result.metadata;
    client.lifecycle.transition(ConnectionState.OPEN);
    client.releasePreAuthSlot();
    init.clients.indexUser(client);
    for (const room of init.defaultRooms) init.rooms.join(client, room);
    init.metrics.clientsOpened += 1;
    // Written directly, before the client is marked encrypted: the reply that completes the handshake never goes through the transformer.
    init.writeConnected(
      client,
      encodeFrame(ServerEvent.CONNECTED, { ...outcome.reply, id: client.id, userId: result.userId, time: init.now() }),
    );
    client.encrypted = outcome.encrypted;
    client.session = outcome.session;
    init.logger.debug({ clientId: client.id, userId: result.userId }, 'client open');
    this.#notifyConnected(client, result);
  }

  #notifyConnected(client: WebSocketClient, result: AuthenticationResult): void {
    const hook = this.init.clientConnectedFn;
    if (!hook) return;
    Promise.resolve()
      .then(() => hook({ clientId: client.id, userId: result.userId, metadata: result.metadata }))
      .catch((error: unknown) => {
        this.init.metrics.handlerErrors += 1;
        this.init.logger.error({ clientId: client.id, err: error }, 'clientConnectedFn threw');
      });
  }
}
