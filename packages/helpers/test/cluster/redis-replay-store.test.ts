import { afterEach, describe, expect, it } from 'vitest';
import { useRedisServer } from '@sealed/test-support';
import { RedisReplayStore, SecurityLevel, createSecureServerKit, type CryptoProvider, type ReplayStore } from '../../src/index.ts';
import { answerServerHello, createClientHello, InMemoryPinStore } from '../../src/crypto/index.ts';
import { nodeCrypto } from '../support/secure-test-server.ts';

const redisServer = useRedisServer();
const stores: RedisReplayStore[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

async function startStore(windowMs?: number): Promise<RedisReplayStore> {
  const store = new RedisReplayStore({ url: redisServer.current.url, windowMs });
  stores.push(store);
  await store.start();
  return store;
}

describe('RedisReplayStore', () => {
  it('lets the first of two instances claim a nonce and refuses it to the other, until the window has passed', async () => {
    const windowMs = 300;
    const [first, second] = [await startStore(windowMs), await startStore(windowMs)];
    expect(await first.claim('nonce-a')).toBe('FRESH');
    expect(await second.claim('nonce-a')).toBe('REPLAYED');
    expect(await first.claim('nonce-a')).toBe('REPLAYED');
    expect(await second.claim('nonce-b')).toBe('FRESH');
    const ttl = await redisServer.current.command<number>(['PTTL', 'sealed:replay:nonce-a']);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(windowMs);
    await expect.poll(() => second.claim('nonce-a'), { timeout: 5 * windowMs }).toBe('FRESH');
  });

  it('answers UNAVAILABLE, never FRESH, when Redis cannot be asked', async () => {
    const store = await startStore();
    await store.close();
    expect(await store.claim('nonce-c')).toBe('UNAVAILABLE');
  });
});

/** One whole handshake through a fresh kit that claims nonces in `store`, with `nonce` as the client nonce; whether the kit accepted the finish. */
async function finishOn(store: ReplayStore, nonce: Uint8Array): Promise<boolean> {
  const identity = nodeCrypto.ed25519KeyPair();
  const kit = createSecureServerKit({ identity, replayStore: store });
  // The hello needs only these two: the nonce is the one given.
  const scripted = { randomBytes: () => nonce.slice(), x25519KeyPair: () => nodeCrypto.x25519KeyPair() } as unknown as CryptoProvider;
  const { hello, pending } = createClientHello({ crypto: scripted, level: SecurityLevel.ENCRYPTED, nowMs: Date.now() });
  const step = await kit.handshakeFn({ clientId: 'c1', data: { sealed: hello }, remoteAddress: undefined });
  if (!step || !('finish' in step)) throw new Error('no challenge');
  const answered = await answerServerHello({
    crypto: nodeCrypto,
    pending,
    reply: step.challenge,
    identity: nodeCrypto.ed25519KeyPair(),
    credentials: new TextEncoder().encode('{"token":"alice"}'),
    trust: { pins: new InMemoryPinStore(), pinName: 'x' },
    nowMs: Date.now(),
  });
  if (!answered.ok) throw new Error(answered.code);
  const outcome = await step.finish(answered.finish);
  if (!outcome) return false;
  outcome.session?.dispose?.();
  return true;
}

describe('the secure kit with a shared replay store', () => {
  it('refuses on a second instance a finished handshake whose nonce the first instance claimed', async () => {
    const store = await startStore();
    const nonce = nodeCrypto.randomBytes(32);
    expect(await finishOn(store, nonce)).toBe(true);
    expect(await finishOn(await startStore(), nonce)).toBe(false);
  });
});
