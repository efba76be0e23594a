import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';

/** ws's own frame parser; its CommonJS entry exports it, its ES module wrapper does not. */
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean }) => NodeJS.WritableStream & { on(event: string, listener: (...args: any[]) => void): void };
};
import { Opcode, frameOnce } from './websocket-frame.ts';

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
