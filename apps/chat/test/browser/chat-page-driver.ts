import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

/** How long the page may take to show what a test waits for. */
export const UI_TIMEOUT_MS = 15_000;

/** A page in a browser context of its own: its own storage, pins and identity, like another person's browser. */
export async function openPage(browser: Browser, port: number): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await page.goto(`http://127.0.0.1:${port}/`);
  return page;
}

export async function signIn(page: Page, name: string): Promise<void> {
  await page.fill('#name', name);
  await page.click('#sign-in button');
  await page.waitForSelector('#level.encrypted');
  await expect.poll(() => page.textContent('#status')).toBe(`Signed in as ${name}`);
}

export async function joinRoom(page: Page, room: string): Promise<void> {
  await page.fill('#room', room);
  await page.click('#join button');
  await page.waitForSelector(`#rooms button[aria-pressed="true"]:text-is("${room}")`);
}

export async function say(page: Page, text: string): Promise<void> {
  await page.fill('#text', text);
  await page.click('#compose button');
}

export function messageLine(page: Page, text: string) {
  return page.locator('#messages li', { hasText: text });
}
