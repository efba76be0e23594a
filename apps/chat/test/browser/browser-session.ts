import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Where screenshots of the chat land, at the repository root. */
export const SCREENSHOT_DIRECTORY = fileURLToPath(new URL('../../../../test-artifacts/screenshots/', import.meta.url));

export { launchBrowser } from '@sealed/test-support';

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIRECTORY, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIRECTORY}${name}.png`, fullPage: true });
}
