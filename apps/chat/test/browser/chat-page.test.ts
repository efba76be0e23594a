import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketBindingKeys } from '@sealed/core';
import { createDefaultLogger } from '@sealed/helpers';
import { UpgradeSubprotocol, readUpgradeFrame } from '@sealed/helpers/protocol';
import { DEMO_MAX_DEVICES_PER_USER } from '../../src/handlers/demo-device-policy.ts';
import { ChatApplication } from '../../src/chat-application.ts';
import { launchBrowser, screenshot } from './browser-session.ts';
import { TcpTap } from './tcp-tap.ts';
import { UI_TIMEOUT_MS, joinRoom, messageLine, openPage, say, signIn } from './chat-page-driver.ts';
import { Opcode, headerValue, readUpgradeHead, readWireFrames } from './websocket-frame-reader.ts';

/** How soon a member list follows a join or a leave: well under any polling interval. */
const PRESENCE_UPDATE_MS = 1_000;
/** Largest first frame read from a captured upgrade request: more than any hello. */
const FIRST_FRAME_LIMIT_BYTES = 16 * 1024;

let browser: Browser;
let app: ChatApplication | undefined;
let tap: TcpTap | undefined;
let identityDirectory: string;

beforeAll(async () => {
  browser = await launchBrowser();
  identityDirectory = mkdtempSync(join(tmpdir(), 'sealed-page-'));
});

afterAll(async () => {
  await browser?.close();
  rmSync(identityDirectory, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(browser.contexts().map((context) => context.close()));
  await tap?.close();
  tap = undefined;
  await app?.stop();
  app = undefined;
});

async function startApp(options: { port?: number; identityFile?: string } = {}): Promise<number> {
  app = new ChatApplication({ port: options.port ?? 0, identityFile: options.identityFile, logger: createDefaultLogger({ level: 'silent' }) });
  return (await app.start()).port;
}

describe('the chat page in Chromium', () => {
  it('lets two people chat in a room, encrypted, while a third in another room sees nothing', async () => {
    const port = await startApp();
    const alice = await openPage(browser, port);
    const bob = await openPage(browser, port);
    const carol = await openPage(browser, port);
    await signIn(alice, 'alice');
    await signIn(bob, 'bob');
    await signIn(carol, 'carol');
    await joinRoom(alice, 'lobby');
    await joinRoom(bob, 'lobby');
    await joinRoom(carol, 'kitchen');

    await say(alice, 'hello bob');
    await messageLine(bob, 'hello bob').waitFor();
    await say(bob, 'hello alice');
    await messageLine(alice, 'hello alice').waitFor();
    await expect.poll(() => alice.textContent('#members')).toBe('alice, bob');

    expect(await alice.textContent('#fingerprint')).toBe(app!.identityFingerprint);
    expect(await carol.locator('#messages li', { hasText: 'hello' }).count()).toBe(0);
    await screenshot(alice, 'chat-alice');
    await screenshot(bob, 'chat-bob');
    await screenshot(carol, 'chat-carol-other-room');
  });

  it('shows who is in the room from presence events, as people come and go', async () => {
    const port = await startApp();
    const alice = await openPage(browser, port);
    const bob = await openPage(browser, port);
    await signIn(alice, 'alice');
    await joinRoom(alice, 'lobby');
    await expect.poll(() => alice.textContent('#members')).toBe('alice');
    await signIn(bob, 'bob');
    await joinRoom(bob, 'lobby');
    // Both lists change within a second of the join: no page asks for them on a timer.
    await expect.poll(() => bob.textContent('#members'), { timeout: PRESENCE_UPDATE_MS }).toBe('alice, bob');
    await expect.poll(() => alice.textContent('#members'), { timeout: PRESENCE_UPDATE_MS }).toBe('alice, bob');
    await bob.click('#rooms button[aria-label="Leave lobby"]');
    await expect.poll(() => alice.textContent('#members'), { timeout: PRESENCE_UPDATE_MS }).toBe('alice');
    await screenshot(alice, 'chat-alice-presence');
  });

  it('puts only ciphertext on the wire after the handshake', async () => {
    const port = await startApp();
    tap = await TcpTap.start(port);
    const alice = await openPage(browser, tap.port);
    await signIn(alice, 'alice');
    await joinRoom(alice, 'lobby');
    await say(alice, 'marker-only-in-plaintext');
    await messageLine(alice, 'marker-only-in-plaintext').waitFor();

    const [socket, ...others] = tap.connectionsTo('GET /ws');
    expect(others).toHaveLength(0);
    const upgrade = Buffer.concat(socket!.toServer);
    const toServer = readWireFrames(upgrade).filter((frame) => frame.opcode !== Opcode.PONG);
    const toClient = readWireFrames(Buffer.concat(socket!.toClient)).filter((frame) => frame.opcode !== Opcode.PING);
    // The capture really holds the conversation: the plaintext handshake messages are readable (the hello in the upgrade request)...
    expect(firstFrameOfUpgrade(upgrade)).toContain('"event":"authenticate"');
    expect(headerValue(readUpgradeHead(Buffer.concat(socket!.toClient)), 'Sec-WebSocket-Protocol')).toBe(UpgradeSubprotocol.FIRST_FRAME_TAKEN);
    expect(toClient[0]?.opcode).toBe(Opcode.TEXT);
    expect(toClient[0]?.payload.toString()).toContain('"event":"sealed:handshake"');
    expect(toServer[0]?.payload.toString()).toContain('"event":"sealed:finish"');
    // ...and every frame after them is binary ciphertext: connected, join, chat and their answers.
    const afterHandshake = [...toServer.slice(1), ...toClient.slice(1)];
    expect(toServer.length).toBeGreaterThanOrEqual(2);
    expect(toClient.length).toBeGreaterThanOrEqual(3);
    for (const frame of afterHandshake) {
      expect(frame.opcode).toBe(Opcode.BINARY);
      expect(frame.payload.includes('marker-only-in-plaintext')).toBe(false);
      expect(frame.payload.includes('lobby')).toBe(false);
    }
  });

  it('never puts the sign-in name on the wire in the clear, first visit included', async () => {
    const port = await startApp();
    tap = await TcpTap.start(port);
    const alice = await openPage(browser, tap.port);
    await signIn(alice, 'alice');
    expect(await alice.textContent('#credentials')).toBe('encrypted, readable only by this server');

    const [socket, ...others] = tap.connectionsTo('GET /ws');
    expect(others).toHaveLength(0);
    const upgrade = Buffer.concat(socket!.toServer);
    const toServer = readWireFrames(upgrade).filter((frame) => frame.opcode !== Opcode.PONG);
    // The capture is real: the hello (in the upgrade request) and the finish are there, readable as JSON...
    const hello = firstFrameOfUpgrade(upgrade);
    expect(hello).toContain('"event":"authenticate"');
    expect(toServer[0]?.payload.toString()).toContain('"event":"sealed:finish"');
    // ...and the name is in none of them, nor anywhere in the upgrade request: it travelled inside the finish, sealed.
    expect(hello.includes('alice')).toBe(false);
    expect(readUpgradeHead(upgrade).includes('alice')).toBe(false);
    for (const frame of toServer) expect(frame.payload.includes('alice')).toBe(false);
    await screenshot(alice, 'chat-sealed-sign-in');
  });

  it('survives a server restart: reconnects with a fresh handshake and rejoins its rooms', async () => {
    const identityFile = join(identityDirectory, 'restart-identity.json');
    const port = await startApp({ identityFile });
    const alice = await openPage(browser, port);
    await signIn(alice, 'alice');
    await joinRoom(alice, 'lobby');

    await app!.stop();
    await expect.poll(() => alice.textContent('#status')).toMatch(/reconnecting/);
    await startApp({ port, identityFile });
    await expect.poll(() => alice.textContent('#status'), { timeout: UI_TIMEOUT_MS }).toBe('Signed in as alice');

    await say(alice, 'still here after the restart');
    await messageLine(alice, 'still here after the restart').waitFor();
    await screenshot(alice, 'chat-after-restart');
  });

  it('signs a name in from a second browser as another device, and tells a browser past the device limit that the name is taken', async () => {
    const port = await startApp();
    const browsers = [];
    for (let n = 0; n < DEMO_MAX_DEVICES_PER_USER; n += 1) {
      const page = await openPage(browser, port);
      await signIn(page, 'alice');
      browsers.push(page);
    }
    const extra = await openPage(browser, port);
    await extra.fill('#name', 'alice');
    await extra.click('#sign-in button');

    await extra.waitForSelector('#alert:not([hidden])');
    expect(await extra.textContent('#alert')).toContain(
      'This name is already in use from as many other browsers or devices as the chat allows. Sign in with another name.',
    );
    expect(await extra.textContent('#alert .details')).toBe('Code: CLIENT_KEY_MISMATCH');
    expect(await extra.locator('#messages li', { hasText: 'ENCRYPTION_REQUIRED' }).count()).toBe(0);
    for (const page of browsers) expect(await page.textContent('#status')).toBe('Signed in as alice');
    await screenshot(extra, 'chat-name-in-use');
  });

  it('says once, on the first visit, that the browser now remembers the server key', async () => {
    const port = await startApp();
    const page = await openPage(browser, port);
    await signIn(page, 'alice');
    const firstVisit = messageLine(page, 'First visit to this server');
    await firstVisit.waitFor();
    expect(await firstVisit.locator('.details').textContent()).toBe(`Server key: ${app!.identityFingerprint}`);

    await page.reload();
    await signIn(page, 'alice');
    expect(await messageLine(page, 'First visit to this server').count()).toBe(0);
  });

  it('refuses a server whose identity key differs from the one it pinned', async () => {
    const port = await startApp({ identityFile: join(identityDirectory, 'first-identity.json') });
    const alice = await openPage(browser, port);
    await signIn(alice, 'alice');

    await app!.stop();
    await startApp({ port, identityFile: join(identityDirectory, 'impostor-identity.json') });
    await alice.waitForSelector('#alert:not([hidden])', { timeout: UI_TIMEOUT_MS });
    // The page stops at the impostor's hello: its name never left the browser.
    expect(await alice.textContent('#alert')).toContain("This server's identity has changed since this browser last connected to it.");
    expect(await alice.textContent('#alert .details')).toBe('Code: SERVER_KEY_MISMATCH');
    expect(await alice.textContent('#level')).toBe('-');
    expect(app!.resolve(WebSocketBindingKeys.WEBSOCKET_INSTANCE).getClientsByUser({ userId: 'alice' })).toHaveLength(0);
    await screenshot(alice, 'chat-key-mismatch');
  });
});

/** The first frame a captured upgrade request carries in its subprotocols, as text. */
function firstFrameOfUpgrade(upgrade: Buffer): string {
  const read = readUpgradeFrame(headerValue(readUpgradeHead(upgrade), 'Sec-WebSocket-Protocol'), FIRST_FRAME_LIMIT_BYTES);
  if (!read.ok || !read.frame) throw new Error('The upgrade request carries no first frame');
  return Buffer.from(read.frame).toString();
}
