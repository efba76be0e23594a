import { describe, expect, it } from 'vitest';
import { concatBytes, toBase64, utf8Encode } from '../../src/crypto/bytes.ts';
import { answerServerHello, createClientHello } from '../../src/crypto/client-handshake.ts';
import { answerResumedServerHello, readTicket, type HeldTicket } from '../../src/crypto/client-resumption.ts';
import { CryptoSizes, type RawKeyPair } from '../../src/crypto/crypto-provider.ts';
import { ticketSecret } from '../../src/crypto/key-schedule.ts';
import { NodeCryptoProvider } from '../../src/crypto/node-crypto-provider.ts';
import { InMemoryPinStore } from '../../src/crypto/pin-store.ts';
import { PortableCryptoProvider } from '../../src/crypto/portable-crypto-provider.ts';
import { InMemoryReplayStore } from '../../src/crypto/replay-store.ts';
import { resumeKeyMaterial } from '../../src/crypto/resumption-schedule.ts';
import { TicketSealer } from '../../src/crypto/resumption-ticket.ts';
import type { SecureChannel } from '../../src/crypto/secure-channel.ts';
import { finishServerHandshake, respondToClientHello } from '../../src/crypto/server-handshake.ts';
import { finishResumption, respondToResumption } from '../../src/crypto/server-resumption.ts';
import { SecurityLevel } from '../../src/crypto/security-level.ts';
import { establishSession } from '../../src/crypto/session-keys.ts';
import { Direction } from '../../src/crypto/secure-channel.ts';
import { resumeTranscriptHash, sessionHash } from '../../src/crypto/handshake-transcript.ts';

const native = new NodeCryptoProvider();
const portable = new PortableCryptoProvider();
const NOW = 1_795_000_000_000;
const SKEW_MS = 60_000;
const LIFETIME_MS = 120_000;
const CREDENTIALS = utf8Encode('{"token":"alice-token"}');
const ACCEPTED = [SecurityLevel.ENCRYPTED];

interface Session {
  client: SecureChannel;
  server: SecureChannel;
  clientSecret: Uint8Array;
  serverSecret: Uint8Array;
}

/** A full handshake between one client identity and one server identity, through the same functions the kit and the SDK use. */
async function fullHandshake(serverIdentity: RawKeyPair, clientIdentity: RawKeyPair): Promise<Session> {
  const { hello, pending } = createClientHello({ crypto: portable, level: SecurityLevel.ENCRYPTED, nowMs: NOW });
  const answered = respondToClientHello({ crypto: native, identity: serverIdentity, acceptedLevels: ACCEPTED, hello, nowMs: NOW, maxClockSkewMs: SKEW_MS });
  if (!answered.ok) throw new Error(answered.code);
  const client = await answerServerHello({
    crypto: portable,
    pending,
    reply: answered.reply,
    identity: clientIdentity,
    credentials: CREDENTIALS,
    trust: { expected: serverIdentity.publicKey, pins: new InMemoryPinStore(), pinName: 'server' },
    nowMs: NOW,
  });
  if (!client.ok) throw new Error(client.code);
  const server = await finishServerHandshake({
    crypto: native,
    pending: answered.pending,
    finish: client.finish,
    replayStore: new InMemoryReplayStore(2 * SKEW_MS, 100),
    nowMs: NOW,
  });
  if (!server.ok) throw new Error(server.code);
  return { client: client.channel, server: server.channel, clientSecret: client.resumptionSecret, serverSecret: server.resumptionSecret };
}

/** A ticket as the kit issues it for a session, and as the SDK keeps it from `sealed:ticket`. */
async function issueTicket(sealer: TicketSealer, session: Session, clientIdentity: RawKeyPair, serverIdentity: RawKeyPair): Promise<HeldTicket> {
  const id = sealer.newId();
  const ticket = await sealer.seal({
    id,
    expiresAtMs: NOW + LIFETIME_MS,
    level: SecurityLevel.ENCRYPTED,
    suite: 'chacha20-poly1305',
    clientIdentity: clientIdentity.publicKey,
    secret: ticketSecret(native, session.serverSecret, id),
    userId: 'alice',
  });
  const held = readTicket({
    crypto: portable,
    data: { ticket: toBase64(ticket), lifetimeMs: LIFETIME_MS },
    resumptionSecret: session.clientSecret,
    serverIdentity: serverIdentity.publicKey,
    level: SecurityLevel.ENCRYPTED,
    suite: 'chacha20-poly1305',
    nowMs: NOW,
  });
  if (!held) throw new Error('the ticket frame did not read');
  return held;
}

/** The server's answer to a hello that presents a ticket. */
function answerHello(hello: unknown, sealer: TicketSealer, serverIdentity: RawKeyPair, nowMs = NOW, replayStore = new InMemoryReplayStore(2 * SKEW_MS, 100)) {
  return respondToResumption({ crypto: native, identity: serverIdentity, acceptedLevels: ACCEPTED, hello, nowMs, maxClockSkewMs: SKEW_MS, tickets: sealer, replayStore });
}

/** A resumption with `held`; each call makes fresh ephemeral keys on both sides. */
async function resume(held: HeldTicket, sealer: TicketSealer, serverIdentity: RawKeyPair, clientIdentity: RawKeyPair, replayStore = new InMemoryReplayStore(2 * SKEW_MS, 100)) {
  const kept = { ...held, secret: held.secret.slice() };
  const { hello, pending } = createClientHello({ crypto: portable, level: SecurityLevel.ENCRYPTED, nowMs: NOW, ticket: kept.ticket });
  const answered = await answerHello(hello, sealer, serverIdentity, NOW, replayStore);
  if (!answered.ok) return { ok: false as const, refused: answered.code };
  const client = await answerResumedServerHello({ crypto: portable, pending, held: kept, reply: answered.reply, credentials: CREDENTIALS, clientIdentity: clientIdentity.publicKey, nowMs: NOW });
  if (!client.ok) throw new Error(client.code);
  const server = await finishResumption({ crypto: native, pending: answered.pending, finish: client.finish, nowMs: NOW });
  if (!server.ok) throw new Error(server.code);
  return { ok: true as const, client: client.channel, server: server.channel, ticket: server.ticket, reply: answered.reply, hello };
}

async function opens(sender: SecureChannel, receiver: SecureChannel): Promise<boolean> {
  const frame = await sender.seal(utf8Encode('{"event":"chat","data":{}}'), NOW);
  return (await receiver.open(frame)).ok;
}

describe('resumption tickets', () => {
  it('resumes with a fresh exchange: both sides agree, and the keys are neither the original session nor another resumption of the same ticket', async () => {
    const [serverIdentity, clientIdentity] = [native.ed25519KeyPair(), native.ed25519KeyPair()];
    const sealer = new TicketSealer(native, serverIdentity);
    const original = await fullHandshake(serverIdentity, clientIdentity);
    const held = await issueTicket(sealer, original, clientIdentity, serverIdentity);

    const first = await resume(held, sealer, serverIdentity, clientIdentity);
    const second = await resume(held, sealer, serverIdentity, clientIdentity);
    const third = await resume(held, sealer, serverIdentity, clientIdentity);
    if (!first.ok || !second.ok || !third.ok) throw new Error('a resumption was refused');
    expect(first.ticket).toMatchObject({ userId: 'alice', level: SecurityLevel.ENCRYPTED });
    expect(first.ticket.clientIdentity).toEqual(clientIdentity.publicKey);
    expect(first.reply).not.toHaveProperty('sig');
    expect(await opens(first.client, first.server)).toBe(true);
    expect(await opens(first.server, first.client)).toBe(true);
    // Frames of the original session, or of another resumption, do not open: each resumption has keys of its own.
    expect(await opens(original.client, third.server)).toBe(false);
    expect(await opens(second.client, first.server)).toBe(false);
  });

  it('keeps forward secrecy: the ticket secret without the exchange does not give the traffic keys', async () => {
    const [serverIdentity, clientIdentity] = [native.ed25519KeyPair(), native.ed25519KeyPair()];
    const sealer = new TicketSealer(native, serverIdentity);
    const held = await issueTicket(sealer, await fullHandshake(serverIdentity, clientIdentity), clientIdentity, serverIdentity);
    const resumed = await resume(held, sealer, serverIdentity, clientIdentity);
    if (!resumed.ok) throw new Error(resumed.refused);

    // Everything a thief of the ticket and its secret has, with the exchange's output unknown (taken as zeros).
    const { hello, reply } = resumed;
    const transcript = resumeTranscriptHash(
      native,
      {
        level: SecurityLevel.ENCRYPTED,
        acceptedLevels: ACCEPTED,
        offeredSuites: hello.suites,
        suite: reply.suite,
        timestampMs: hello.ts,
        clientEphemeral: Buffer.from(hello.e, 'base64'),
        clientNonce: Buffer.from(hello.n, 'base64'),
        serverEphemeral: Buffer.from(reply.e, 'base64'),
        serverIdentity: serverIdentity.publicKey,
      },
      held.ticket,
    );
    const session = sessionHash(native, transcript, clientIdentity.publicKey, CREDENTIALS);
    const frame = await resumed.client.seal(utf8Encode('{"event":"chat","data":{"text":"secret"}}'), NOW);
    // With the ticket secret alone, or with it behind an exchange output the thief cannot compute.
    for (const keyMaterial of [held.secret, resumeKeyMaterial(new Uint8Array(CryptoSizes.X25519_KEY_BYTES), held.secret)]) {
      const thief = establishSession({
        crypto: native,
        sendDirection: Direction.SERVER_TO_CLIENT,
        keyMaterial,
        session,
        level: SecurityLevel.ENCRYPTED,
        suite: reply.suite,
        nowMs: NOW,
      });
      expect((await thief.channel.open(frame)).ok).toBe(false);
    }
    // The server, which ran the exchange, opens that very frame.
    expect((await resumed.server.open(frame)).ok).toBe(true);
  });

  it('takes a ticket once, only before its expiry, only under the identity that sealed it, and not once changed', async () => {
    const [serverIdentity, clientIdentity] = [native.ed25519KeyPair(), native.ed25519KeyPair()];
    const sealer = new TicketSealer(native, serverIdentity);
    const held = await issueTicket(sealer, await fullHandshake(serverIdentity, clientIdentity), clientIdentity, serverIdentity);
    const shared = new InMemoryReplayStore(2 * SKEW_MS, 100);

    expect(await resume(held, sealer, serverIdentity, clientIdentity, shared)).toMatchObject({ ok: true });
    expect(await resume(held, sealer, serverIdentity, clientIdentity, shared)).toEqual({ ok: false, refused: 'TICKET_REPLAYED' });

    const otherIdentity = native.ed25519KeyPair();
    expect(await resume(held, new TicketSealer(native, otherIdentity), otherIdentity, clientIdentity)).toEqual({ ok: false, refused: 'TICKET_INVALID' });

    const changed = held.ticket.slice();
    changed[changed.length - 1]! ^= 1;
    expect(await resume({ ...held, ticket: changed }, sealer, serverIdentity, clientIdentity)).toEqual({ ok: false, refused: 'TICKET_INVALID' });
    expect(await resume({ ...held, ticket: concatBytes(held.ticket.subarray(0, 20)) }, sealer, serverIdentity, clientIdentity)).toEqual({ ok: false, refused: 'TICKET_INVALID' });

    const { hello } = createClientHello({ crypto: portable, level: SecurityLevel.ENCRYPTED, nowMs: NOW + LIFETIME_MS + 1, ticket: held.ticket });
    const late = await answerHello(hello, sealer, serverIdentity, NOW + LIFETIME_MS + 1);
    expect(late).toEqual({ ok: false, code: 'TICKET_EXPIRED' });
  });

  it('refuses a resumed server hello whose proof does not verify, before any credentials leave the client', async () => {
    const [serverIdentity, clientIdentity] = [native.ed25519KeyPair(), native.ed25519KeyPair()];
    const sealer = new TicketSealer(native, serverIdentity);
    const held = await issueTicket(sealer, await fullHandshake(serverIdentity, clientIdentity), clientIdentity, serverIdentity);
    const { hello, pending } = createClientHello({ crypto: portable, level: SecurityLevel.ENCRYPTED, nowMs: NOW, ticket: held.ticket });
    const answered = await answerHello(hello, sealer, serverIdentity);
    if (!answered.ok) throw new Error(answered.code);
    const forged = { ...answered.reply, proof: toBase64(new Uint8Array(CryptoSizes.AES256_KEY_BYTES)) };
    const result = await answerResumedServerHello({ crypto: portable, pending, held, reply: forged, credentials: CREDENTIALS, clientIdentity: clientIdentity.publicKey, nowMs: NOW });
    expect(result).toEqual({ ok: false, code: 'BAD_PROOF' });
  });
});
