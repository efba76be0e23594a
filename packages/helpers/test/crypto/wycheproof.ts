import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One Wycheproof test; the fields beyond these depend on the algorithm. */
export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}

interface WycheproofFile<Group> {
  testGroups: Array<Group & { tests: WycheproofTest[] }>;
}

/** Loads a vector file from `test/vectors/wycheproof/`. */
export function loadVectors<Group = Record<string, unknown>>(name: string): WycheproofFile<Group> {
  const path = fileURLToPath(new URL(`../vectors/wycheproof/${name}`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as WycheproofFile<Group>;
}

export function hexBytes(hex: unknown): Uint8Array {
  return Uint8Array.from(Buffer.from(String(hex), 'hex'));
}

export function bytesHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
