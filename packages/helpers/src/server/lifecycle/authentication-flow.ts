import { CloseCode } from '../../protocol/close-codes.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { ServerEvent } from '../../protocol/event-names.ts';
import { SealedError } from '../../protocol/sealed-error.ts';
import { ConnectionState } from '../registry/connection-state.ts';
import type { HandshakeChallenge, HandshakeFn, HandshakeOutcome, UserRefusal } from '../encryption-hooks.ts';
import type { ValueOrPromise } from '../../types/value-or-promise.ts';
import type { AuthenticateFn, AuthenticationResult, ClientConnectedFn } from '../server-hooks.ts';
import type { Logger } from '../../logging/logger.ts';
import type { ThrottledLog } from '../../logging/throttled-log.ts';
import type { ClientAnswers } from './client-answers.ts';
import type { ClientRegistry } from '../registry/client-registry.ts';
import type { RoomRegistry } from '../registry/room-registry.ts';
import type { ServerMetrics } from '../server-metrics.ts';
import type { ServerTimings } from '../server-timings.ts';
import { answerThrownError, type ThrownErrorAnswer } from './thrown-error-answer.ts';
import type { WebSocketClient } from '../registry/websocket-client.ts';
import type { TicketRenewal } from './ticket-renewal.ts';

const AUTH_FAILED_MESSAGE = 'Authentication failed';

/** The answer to refused credentials. */
const AUTH_REFUSAL = Object.freeze({ code: ErrorCode.AUTH_FAILED, message: AUTH_FAILED_MESSAGE, closeCode: CloseCode.AUTH_FAILED });
const HANDSHAKE_FAILED_MESSAGE = 'Encryption handshake failed';

/** The answer to a failed or refused handshake that names no reason of its own. */
const HANDSHAKE_REFUSAL: UserRefusal = Object.freeze({ code: ErrorCode.ENCRYPTION_REQUIRED, message: HANDSHAKE_FAILED_MESSAGE });

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
  metrics: ServerMetrics;
  /** Told how long each client took to open. */
  timings: ServerTimings;
  logger: Logger;
  /** Logs what a peer can repeat at will: the first of each kind per window, then a summary. */
  throttledLog: ThrottledLog;
  answers: ClientAnswers;
  /** Sends a resumable client its tickets. */
  tickets: TicketRenewal;
  now: () => number;
}

/** Whether a handshake step asks the client for one more message. */
function isChallenge(step: HandshakeOutcome | HandshakeChallenge): step is HandshakeChallenge {
  return typeof (step as HandshakeChallenge).finish === 'function';
}

/**
 * Takes a client from AWAITING_AUTH to OPEN: runs the handshake when one is
 * configured (sending its challenge and taking the client's finish), then,
 * once the handshake has finished and the client's frames are protected,
 * `authenticateFn` on the credentials the handshake carried; then indexes
 * the user, joins the default rooms, answers `connected` and tells
 * `clientConnectedFn`.
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
    const { handshakeFn } = init;
    if (!handshakeFn) return this.#authenticateAndOpen(client, data, PLAINTEXT);
    client.lifecycle.transition(ConnectionState.HANDSHAKING);
    const step = await this.#runHandshakeStep(client, () =>
      handshakeFn({ clientId: client.id, data, remoteAddress: client.remoteAddress }),
    );
    if (client.lifecycle.isEnding) {
      if (step && isChallenge(step)) step.abandon();
      else step?.session?.dispose?.();
      return;
    }
    if (!step) return this.#refuseHandshake(client);
    if (!isChallenge(step)) return this.#authenticateAndOpen(client, data, step);
    if (!client.opening) return step.abandon();
    client.opening.pendingHandshake = { challenge: step, data };
    init.answers.control(client, ServerEvent.HANDSHAKE, step.challenge);
  }

  /** Handles the client's `sealed:finish`: the answer to the challenge the server sent. */
  async finish(client: WebSocketClient, data: unknown): Promise<void> {
    const { init } = this;
    const pending = client.opening?.pendingHandshake;
    if (client.state !== ConnectionState.HANDSHAKING || !client.opening || !pending) {
      init.metrics.framesRejected += 1;
      const open = client.state === ConnectionState.OPEN;
      init.answers.error(client, open ? ErrorCode.ALREADY_AUTHENTICATED : ErrorCode.NOT_AUTHENTICATED, 'No handshake is waiting for a finish');
      return;
    }
    client.opening.pendingHandshake = undefined;
    const outcome = await this.#runHandshakeStep(client, () => pending.challenge.finish(data));
    if (client.lifecycle.isEnding) {
      outcome?.session?.dispose?.();
      return;
    }
    if (!outcome) return this.#refuseHandshake(client);
    return this.#authenticateAndOpen(client, pending.data, outcome);
  }

  /**
   * With the handshake finished: protects the client's frames (every answer
   * from here on, refusals included, goes through the transformer), runs
   * `authenticateFn`, lets the handshake accept the user, and opens.
   */
  async #authenticateAndOpen(client: WebSocketClient, data: unknown, outcome: HandshakeOutcome): Promise<void> {
    const { init } = this;
    if (init.requireEncryption && !outcome.encrypted) {
      outcome.session?.dispose?.();
      return this.#refuseHandshake(client);
    }
    client.session = outcome.session;
    client.deviceKey = outcome.deviceKey;
    client.encrypted = outcome.encrypted;
    client.protectedFrames = outcome.protectedFrames ?? outcome.encrypted;
    client.lifecycle.transition(ConnectionState.AUTHENTICATING);

    // A resumed session whose application chose not to authenticate again brings its user along.
    const resumedUser = outcome.resumption?.resumedUser;
    const authenticated = resumedUser
      ? ({ ok: true, result: resumedUser } as const)
      : await this.#runAuthenticateFn(client, outcome.credentials ?? data);
    if (client.lifecycle.isEnding) return;
    if (!authenticated.ok) {
      const { answer } = authenticated;
      init.metrics.authFailures += 1;
      init.throttledLog.note('authentication refused', answer.code, { clientId: client.id });
      init.answers.error(client, answer.code, answer.message);
      init.answers.close(client, answer.closeCode ?? CloseCode.AUTH_FAILED, answer.closeReason);
      return;
    }
    const { result } = authenticated;
    const refusal = outcome.acceptUser ? await this.#acceptUser(client, outcome, result.userId) : undefined;
    if (refusal) {
      if (!client.lifecycle.isEnding) this.#refuseHandshake(client, refusal);
      return;
    }
    if (client.lifecycle.isEnding) return;
    this.#open(client, result, outcome);
  }

  /** Runs one step of `handshakeFn`; `undefined` means the client is refused. */
  async #runHandshakeStep<T>(client: WebSocketClient, step: () => ValueOrPromise<T | null | false | undefined>): Promise<T | undefined> {
    try {
      return (await step()) || undefined;
    } catch (error) {
      this.init.logger.warn({ clientId: client.id, err: error }, 'handshakeFn threw; refusing the client');
      return undefined;
    }
  }

  /** Asks the handshake to accept the user; `undefined` when it did, else the refusal to answer with. */
  async #acceptUser(client: WebSocketClient, outcome: HandshakeOutcome, userId: string): Promise<UserRefusal | undefined> {
    try {
      const accepted = await outcome.acceptUser!(userId);
      if (accepted === true) return undefined;
      return typeof accepted === 'object' && accepted !== null ? accepted : HANDSHAKE_REFUSAL;
    } catch (error) {
      this.init.logger.warn({ clientId: client.id, err: error }, 'the handshake could not accept the user; refusing the client');
      return HANDSHAKE_REFUSAL;
    }
  }

  /** Answers a refused handshake with its `error`, then closes with 4004, whatever the error code. */
  #refuseHandshake(client: WebSocketClient, refusal: UserRefusal = HANDSHAKE_REFUSAL): void {
    this.init.metrics.handshakeFailures += 1;
    this.init.throttledLog.note('handshake refused', refusal.code, { clientId: client.id });
    this.init.answers.error(client, refusal.code, refusal.message);
    this.init.answers.close(client, CloseCode.ENCRYPTION_REQUIRED, HANDSHAKE_FAILED_MESSAGE);
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
    const opening = client.finishOpening();
    client.userId = result.userId;
    client.metadata = result.metadata;
    client.lifecycle.transition(ConnectionState.OPEN);
    init.clients.indexUser(client);
    for (const room of init.defaultRooms) init.rooms.join(client, room);
    init.metrics.clientsOpened += 1;
    if (init.timings.active && opening) init.timings.clientOpened(performance.now() - opening.acceptedAt);
    // A protected client learns its ids through the channel; a plaintext one also gets the handshake's reply.
    const reply = client.protectedFrames ? undefined : outcome.reply;
    init.answers.control(client, ServerEvent.CONNECTED, { ...reply, id: client.id, userId: result.userId, time: init.now() });
    init.logger.debug({ clientId: client.id, userId: result.userId }, 'client open');
    client.resumption = outcome.resumption;
    init.tickets.issue(client);
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
