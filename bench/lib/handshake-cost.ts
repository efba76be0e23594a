/**
 * The handshake's own CPU cost, without sockets: each side's functions
 * timed in this process, the client with the portable provider (noble and
 * WebCrypto, what a browser runs) and the server with the Node provider
 * (libsodium), for a full handshake and for a resumption from a ticket.
 */
import { performance } from 'node:perf_hooks';
import { InMemoryPinStore, InMemoryReplayStore, NodeCryptoProvider, SecurityLevel } from '@sealed/helpers';
import {
  PortableCryptoProvider,
  TicketSealer,
  answerResumedServerHello,
  answerServerHello,
  createClientHello,
  finishResumption,
  finishServerHandshake,
  readTicket,
  respondToClientHello,
  ticketSecret,
  respondToResumption,
  toBase64,
  type HeldTicket,
} from '@sealed/helpers/crypto';
import { Contender } from './bench-protocol.ts';
import { median } from './stats.ts';
import type { ResultRow } from './scenarios.ts';

const server = new NodeCryptoProvider();
const client = new PortableCryptoProvider();
const LEVEL = SecurityLevel.ENCRYPTED;
const SKEW_MS = 120_000;
const TICKET_LIFETIME_MS = 120_000;
const CREDENTIALS = new TextEncoder().encode('{"token":"bench-user"}');

/** Microseconds each side spent on one set-up. */
interface Cost {
  clientUs: number;
  serverUs: number;
}

/** Runs `step` and adds its wall time (single-threaded, so its CPU time) to `cost[side]`. */
async function timed<T>(cost: Cost, side: keyof Cost, step: () => T | Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await step();
  cost[side] += (performance.now() - started) * 1000;
  return result;
}

type KeyPair = ReturnType<NodeCryptoProvider['ed25519KeyPair']>;

/** One full handshake, each side timed; returns what the client needs to resume later. */
async function fullHandshake(serverIdentity: KeyPair, sealer: TicketSealer, cost: Cost): Promise<{ held: HeldTicket; clientIdentity: KeyPair }> {
  const clientIdentity = client.ed25519KeyPair();
  const { hello, pending } = await timed(cost, 'clientUs', () => createClientHello({ crypto: client, level: LEVEL, nowMs: Date.now() }));
  const answered = await timed(cost, 'serverUs', () =>
    respondToClientHello({ crypto: server, identity: serverIdentity, acceptedLevels: [LEVEL], hello, nowMs: Date.now(), maxClockSkewMs: SKEW_MS }),
  );
  if (!answered.ok) throw new Error(answered.code);
  const finished = await timed(cost, 'clientUs', () =>
    answerServerHello({
      crypto: client,
      pending,
      reply: answered.reply,
      identity: clientIdentity,
      credentials: CREDENTIALS,
      trust: { pins: new InMemoryPinStore(), pinName: 'bench' },
      nowMs: Date.now(),
    }),
  );
  if (!finished.ok) throw new Error(finished.code);
  const opened = await timed(cost, 'serverUs', () =>
    finishServerHandshake({ crypto: server, pending: answered.pending, finish: finished.finish, replayStore: new InMemoryReplayStore(2 * SKEW_MS, 1), nowMs: Date.now() }),
  );
  if (!opened.ok) throw new Error(opened.code);
  // The ticket the kit would send once the client is open (not timed: a full set-up issues one as well as a resumed one).
  const id = sealer.newId();
  const ticket = await sealer.seal({
    id,
    expiresAtMs: Date.now() + TICKET_LIFETIME_MS,
    level: LEVEL,
    suite: answered.reply.suite,
    clientIdentity: clientIdentity.publicKey,
    secret: ticketSecret(server, opened.resumptionSecret, id),
    userId: 'bench-user',
  });
  const held = readTicket({
    crypto: client,
    data: { ticket: toBase64(ticket), lifetimeMs: TICKET_LIFETIME_MS },
    resumptionSecret: finished.resumptionSecret,
    serverIdentity: serverIdentity.publicKey,
    level: LEVEL,
    suite: answered.reply.suite,
    nowMs: Date.now(),
  });
  if (!held) throw new Error('no ticket');
  opened.channel.close();
  finished.channel.close();
  return { held, clientIdentity };
}

/** One resumption from `held`, each side timed. */
async function resumption(serverIdentity: KeyPair, sealer: TicketSealer, held: HeldTicket, clientIdentity: Uint8Array, cost: Cost): Promise<void> {
  const { hello, pending } = await timed(cost, 'clientUs', () => createClientHello({ crypto: client, level: LEVEL, nowMs: Date.now(), ticket: held.ticket }));
  const answered = await timed(cost, 'serverUs', () =>
    respondToResumption({
      crypto: server,
      identity: serverIdentity,
      acceptedLevels: [LEVEL],
      hello,
      nowMs: Date.now(),
      maxClockSkewMs: SKEW_MS,
      tickets: sealer,
      replayStore: new InMemoryReplayStore(2 * SKEW_MS, 1),
    }),
  );
  if (!answered.ok) throw new Error(answered.code);
  const finished = await timed(cost, 'clientUs', () =>
    answerResumedServerHello({ crypto: client, pending, held, reply: answered.reply, credentials: CREDENTIALS, clientIdentity, nowMs: Date.now() }),
  );
  if (!finished.ok) throw new Error(finished.code);
  const opened = await timed(cost, 'serverUs', () => finishResumption({ crypto: server, pending: answered.pending, finish: finished.finish, nowMs: Date.now() }));
  if (!opened.ok) throw new Error(opened.code);
  opened.channel.close();
  finished.channel.close();
}

/**
 * Handshake crypto per set-up, full against resumed, medians over `rounds`
 * rounds of `perRound` set-ups each (after one unmeasured round).
 */
export async function measureHandshakeCost(perRound: number, rounds: number): Promise<ResultRow[]> {
  const serverIdentity = server.ed25519KeyPair();
  const sealer = new TicketSealer(server, serverIdentity);
  const full: Cost[] = [];
  const resumed: Cost[] = [];
  for (let round = -1; round < rounds; round += 1) {
    const fullCost: Cost = { clientUs: 0, serverUs: 0 };
    const resumedCost: Cost = { clientUs: 0, serverUs: 0 };
    for (let i = 0; i < perRound; i += 1) {
      const { held, clientIdentity } = await fullHandshake(serverIdentity, sealer, fullCost);
      await resumption(serverIdentity, sealer, held, clientIdentity.publicKey, resumedCost);
    }
    if (round < 0) continue;
    full.push({ clientUs: fullCost.clientUs / perRound, serverUs: fullCost.serverUs / perRound });
    resumed.push({ clientUs: resumedCost.clientUs / perRound, serverUs: resumedCost.serverUs / perRound });
  }
  const row = (contender: Contender, costs: Cost[]): ResultRow => ({
    scenario: 'handshake crypto per set-up',
    contender,
    roomSize: 0,
    rounds,
    clientCryptoUsPerSetup: median(costs.map((cost) => cost.clientUs)),
    serverCryptoUsPerSetup: median(costs.map((cost) => cost.serverUs)),
  });
  return [row(Contender.SEALED_FULL_RAW, full), row(Contender.SEALED_RESUMED, resumed)];
}
