import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultLogger } from '@sealed/helpers';
import { ChatApplication } from '../../src/chat-application.ts';
import { launchBrowser, screenshot } from './browser-session.ts';
import { joinRoom, messageLine, openPage, say, signIn } from './chat-page-driver.ts';

const ROOM = 'secret-plans';

let browser: Browser;
let app: ChatApplication | undefined;
/** Every frame as the server process held it, after decryption and before encryption. */
let serverView: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await Promise.all(browser.contexts().map((context) => context.close()));
  await app?.stop();
  app = undefined;
  serverView = [];
});

async function startApp(): Promise<number> {
  app = new ChatApplication({ port: 0, logger: createDefaultLogger({ level: 'silent' }), observeFrames: ({ json }) => serverView.push(json) });
  return (await app.start()).port;
}

/** Waits until the page shows the room locked: this browser is in the room's encrypted group, with `devices` devices. */
async function locked(page: Page, devices: number): Promise<void> {
  await page.waitForSelector('#rooms .lock:not(.pending)');
  await expect.poll(() => page.locator('#devices li').count()).toBe(devices);
}

/** Starts the chat; alice and bob sign in from browsers of their own and join the secret room. */
async function aliceAndBobInTheRoom(): Promise<{ port: number; alice: Page; bob: Page }> {
  const port = await startApp();
  const alice = await openPage(browser, port);
  const bob = await openPage(browser, port);
  await signIn(alice, 'alice');
  await signIn(bob, 'bob');
  await joinRoom(alice, ROOM);
  await joinRoom(bob, ROOM);
  return { port, alice, bob };
}

describe('a secret room on the chat page in Chromium', () => {
  it('lets two browsers chat end to end, shows the devices that can read it, and the server never holds the text', async () => {
    const { alice, bob } = await aliceAndBobInTheRoom();
    await locked(alice, 2);
    await locked(bob, 2);

    await say(alice, 'meet at the lighthouse');
    await messageLine(bob, 'meet at the lighthouse').waitFor();
    await messageLine(alice, 'meet at the lighthouse').waitFor();
    await say(bob, 'bring the lantern');
    await messageLine(alice, 'bring the lantern').waitFor();

    // Each page lists both browsers' device fingerprints, the same on both.
    const fingerprints = async (page: Page) => (await page.locator('#devices code').allTextContents()).sort();
    expect(await fingerprints(alice)).toEqual(await fingerprints(bob));
    expect(await fingerprints(alice)).toHaveLength(2);
    // The server relayed the room's messages and held only ciphertext.
    expect(serverView.some((frame) => frame.includes('sealed:mls:message'))).toBe(true);
    for (const secret of ['lighthouse', 'lantern']) expect(serverView.filter((frame) => frame.includes(secret))).toEqual([]);
    await screenshot(alice, 'secret-room-alice');
  });

  it('reads on after a reload: the browser kept its place in the group', async () => {
    const { alice, bob } = await aliceAndBobInTheRoom();
    await locked(bob, 2);

    await bob.reload();
    await signIn(bob, 'bob');
    await joinRoom(bob, ROOM);
    await locked(bob, 2);
    await say(alice, 'still there after the reload?');
    await messageLine(bob, 'still there after the reload?').waitFor();
    expect(await bob.locator('#messages li', { hasText: 'lost the keys' }).count()).toBe(0);
  });

  it('tells the members when a user they talk to gets a new device in the room', async () => {
    const { port, alice } = await aliceAndBobInTheRoom();
    await locked(alice, 2);

    // Bob signs in from a second browser and joins: a new device under a name alice already sees.
    const bobsPhone = await openPage(browser, port);
    await signIn(bobsPhone, 'bob');
    await joinRoom(bobsPhone, ROOM);
    await locked(bobsPhone, 3);
    await messageLine(alice, 'bob has a new device in secret-plans').waitFor();
    await locked(alice, 3);
    await say(alice, 'who is this?');
    await messageLine(bobsPhone, 'who is this?').waitFor();
    await screenshot(alice, 'secret-room-new-device');
  });
});
