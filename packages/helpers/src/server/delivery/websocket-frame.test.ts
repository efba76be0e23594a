import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';

/** ws's own frame parser; its CommonJS entry exports it, its ES module wrapper does not. */
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean }) => NodeJS.WritableStream & { on(event: string, listener: (...args: any[]) => void): void };
};
import { Opcode, frameLength, frameOnce, writeTextFrame } from './websocket-frame.ts';

/** Parses frames with ws's own receiver, as a client would. */
function parse(frame: Buffer): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }));
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

describe('frameOnce', () => {
  it.each([0, 125, 126, 65_535, 65_536, 200_000])('frames a payload of %i bytes that ws reads back intact', async (size) => {
    const payload = Buffer.alloc(size, 7);
    const { data, isBinary } = await parse(frameOnce(Opcode.BINARY, payload));
    expect(isBinary).toBe(true);
    expect(data.equals(payload)).toBe(true);
  });

  it('frames text', async () => {
    const { data, isBinary } = await parse(frameOnce(Opcode.TEXT, Buffer.from('{"event":"x"}')));
    expect(isBinary).toBe(false);
    expect(data.toString()).toBe('{"event":"x"}');
  });
});

describe('writeTextFrame', () => {
  it.each([0, 40, 125, 126, 40_000])('frames %i multi-byte characters as UTF-8 at an offset, ending where it says', async (characters) => {
    const text = 'é'.repeat(characters);
    const byteLength = Buffer.byteLength(text);
    const offset = 3;
    const target = Buffer.alloc(offset + frameLength(byteLength) + 1, 0xee);

    const end = writeTextFrame(target, offset, text, byteLength);

    expect(end).toBe(offset + frameLength(byteLength));
    expect(target[end]).toBe(0xee);
    const { data, isBinary } = await parse(target.subarray(offset, end));
    expect(isBinary).toBe(false);
    expect(data.toString('utf8')).toBe(text);
  });
});
