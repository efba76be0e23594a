import { once } from 'node:events';
import { createRequire } from 'node:module';
import { type AddressInfo, type Socket, createServer, connect } from 'node:net';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LARGEST_COPIED_FRAME_BYTES } from './socket-turn.ts';
import { TurnWriter } from './turn-writer.ts';
import { Opcode, frameOnce } from './websocket-frame.ts';

/** ws's own frame parser; its CommonJS entry exports it, its ES module wrapper does not. */
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean }) => NodeJS.WritableStream & { on(event: string, listener: (...args: any[]) => void): void };
};

/** A stream that keeps each write call it receives: `writev` batches count as one call. */
class RecordingStream extends Duplex {
  readonly calls: Buffer[][] = [];

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.calls.push([chunk]);
    callback();
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: () => void): void {
    this.calls.push(chunks.map(({ chunk }) => chunk));
    callback();
  }

  /** Every frame written so far, parsed as a client would. */
  frames(): Promise<Array<{ text: string; isBinary: boolean }>> {
    const bytes = Buffer.concat(this.calls.flat());
    const frames: Array<{ text: string; isBinary: boolean }> = [];
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => frames.push({ text: data.toString(), isBinary }));
    return new Promise((resolve, reject) => {
      receiver.on('error', reject);
      receiver.write(bytes);
      setImmediate(() => resolve(frames));
    });
  }
}

/** A stream whose writes complete only when told to, one at a time: a reader that does not keep up. */
class StalledStream extends Duplex {
  readonly chunks: Buffer[] = [];
  #pending: Array<() => void> = [];

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk);
    this.#pending.push(callback);
  }

  /** Completes the oldest pending write. */
  drainOne(): void {
    this.#pending.shift()?.();
  }
}

/** Parses bytes as a client would: the text of every frame. */
function frameTexts(bytes: Uint8Array): Promise<string[]> {
  const texts: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer) => texts.push(data.toString()));
  return new Promise((resolve, reject) => {
    receiver.on('error', reject);
    receiver.write(Buffer.from(bytes));
    setImmediate(() => resolve(texts));
  });
}

/** Real TCP connections over loopback: the server's side of each, and everything its peer reads. */
async function tcpConnections(count: number): Promise<{ sockets: Socket[]; peers: Socket[]; received: Buffer[][]; close(): Promise<void> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const sockets: Socket[] = [];
  const peers: Socket[] = [];
  const received: Buffer[][] = [];
  const close = async (): Promise<void> => {
    for (const peer of peers) peer.destroy();
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  };
  try {
    for (let index = 0; index < count; index += 1) {
      const accepted = once(server, 'connection');
      const peer = connect(port, '127.0.0.1');
      peers.push(peer);
      const chunks: Buffer[] = [];
      peer.on('data', (chunk: Buffer) => chunks.push(chunk));
      const [socket] = (await accepted) as [Socket];
      await once(peer, 'connect');
      sockets.push(socket);
      received.push(chunks);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { sockets, peers, received, close };
}

/** Keeps the chunk of every write call the socket receives. */
function recordWrites(socket: Socket): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const write = socket.write.bind(socket) as (chunk: Uint8Array) => boolean;
  socket.write = ((chunk: Uint8Array) => {
    chunks.push(chunk);
    return write(chunk);
  }) as typeof socket.write;
  return chunks;
}

/** Resolves once `chunks` hold `bytes` bytes in all. */
async function untilReceived(chunks: Buffer[], bytes: number): Promise<Buffer> {
  while (chunks.reduce((total, chunk) => total + chunk.length, 0) < bytes) await sleep(5);
  return Buffer.concat(chunks);
}

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const LARGE_BUDGET = 1024 * 1024;

/** A writer whose build failures are collected. */
function turnWriter(maxTurnBytes = LARGE_BUDGET): { writer: TurnWriter; failures: unknown[] } {
  const failures: unknown[] = [];
  return { writer: new TurnWriter({ maxTurnBytes, onBuildFailure: (_socket, error) => failures.push(error) }), failures };
}

/** A payload builder that writes `text`. */
function textPayload(text: string): { byteLength: number; writeTo(target: Uint8Array): void } {
  const bytes = Buffer.from(text);
  return { byteLength: bytes.length, writeTo: (target) => target.set(bytes) };
}

describe('TurnWriter', () => {
  it('writes a turn of shared, copied and in-place frames to a socket in one call, in order', async () => {
    const { writer } = turnWriter();
    const socket = new RecordingStream();
    writer.writeFramed(socket, frameOnce(Opcode.TEXT, Buffer.from('one')));
    writer.writeFrame(socket, Opcode.BINARY, [Buffer.from('tw'), Buffer.from('o')]);
    writer.deferFrame(socket, textPayload('three'));
    writer.writeFramed(socket, frameOnce(Opcode.TEXT, Buffer.from('four')));
    writer.writeFrame(socket, Opcode.TEXT, [Buffer.from('five')]);
    expect(socket.calls).toHaveLength(0);
    await nextTick();
    expect(socket.calls).toHaveLength(1);
    expect(await socket.frames()).toEqual([
      { text: 'one', isBinary: false },
      { text: 'two', isBinary: true },
      { text: 'three', isBinary: true },
      { text: 'four', isBinary: false },
      { text: 'five', isBinary: false },
    ]);
  });

  it('holds a turn\'s only whole frame without corking the socket, and writes it alone at the end of the turn', async () => {
    const { writer } = turnWriter();
    const socket = new RecordingStream();
    const frame = frameOnce(Opcode.TEXT, Buffer.from('only one'));
    writer.writeFramed(socket, frame);
    expect(socket.writableCorked).toBe(0);
    expect(socket.calls).toEqual([]);
    await nextTick();
    expect(socket.calls).toEqual([[frame]]);
    expect(await socket.frames()).toEqual([{ text: 'only one', isBinary: false }]);
  });

  it('copies a held frame and its company into one region: one write, no cork, in order', async () => {
    const { writer } = turnWriter();
    const socket = new RecordingStream();
    const shared = frameOnce(Opcode.TEXT, Buffer.from('third'));
    writer.writeFramed(socket, frameOnce(Opcode.TEXT, Buffer.from('first')));
    writer.writeFrame(socket, Opcode.TEXT, [Buffer.from('second')]);
    writer.writeFramed(socket, shared);
    expect(socket.writableCorked).toBe(0);
    await nextTick();
    expect(socket.calls).toHaveLength(1);
    // One buffer, not a gathered write of the shared frame beside the others.
    expect(socket.calls[0]).toHaveLength(1);
    expect((await socket.frames()).map((frame) => frame.text)).toEqual(['first', 'second', 'third']);
  });

  it('corks once a held frame too large to copy has company, and writes the large frames as they are, in order', async () => {
    const { writer } = turnWriter();
    const socket = new RecordingStream();
    const large = 'L'.repeat(LARGEST_COPIED_FRAME_BYTES);
    const [first, third] = [frameOnce(Opcode.TEXT, Buffer.from(`1${large}`)), frameOnce(Opcode.TEXT, Buffer.from(`3${large}`))];
    writer.writeFramed(socket, first);
    writer.writeFrame(socket, Opcode.TEXT, [Buffer.from('second')]);
    expect(socket.writableCorked).toBe(1);
    writer.writeFramed(socket, third);
    await nextTick();
    expect(socket.writableCorked).toBe(0);
    expect(socket.calls).toHaveLength(1);
    expect(socket.calls[0]).toHaveLength(3);
    expect(socket.calls[0]![0]!.buffer).toBe(first.buffer);
    expect(socket.calls[0]![2]!.buffer).toBe(third.buffer);
    expect((await socket.frames()).map((frame) => frame.text)).toEqual([`1${large}`, 'second', `3${large}`]);
  });

  it('reuses the memory of a region a TCP socket took at once for the next socket\'s region, and each peer reads its own frames', async () => {
    const { writer } = turnWriter();
    const connections = await tcpConnections(3);
    try {
      const writes = connections.sockets.map(recordWrites);
      const expected = connections.sockets.map((_, index) => [`to ${index}: one`, `to ${index}: two`]);
      connections.sockets.forEach((socket, index) => {
        for (const text of expected[index]!) writer.writeFramed(socket, frameOnce(Opcode.TEXT, Buffer.from(text)));
      });
      await nextTick();
      const regions = writes.map((chunks) => chunks[0]!);
      expect(writes.map((chunks) => chunks.length)).toEqual([1, 1, 1]);
      expect(new Set(regions.map((region) => region.buffer)).size).toBe(1);
      expect(new Set(regions.map((region) => region.byteOffset)).size).toBe(1);
      for (const [index, chunks] of connections.received.entries()) {
        const bytes = await untilReceived(chunks, regions[index]!.length);
        expect(await frameTexts(bytes)).toEqual(expected[index]);
      }
    } finally {
      await connections.close();
    }
  });

  it('keeps a region a TCP socket could not take at once: the next region is other memory, and the slow peer reads every frame intact', async () => {
    const { writer } = turnWriter();
    const connections = await tcpConnections(2);
    try {
      const [slow, fast] = connections.sockets as [Socket, Socket];
      connections.peers[0]!.pause();
      const writes = [recordWrites(slow), recordWrites(fast)];
      const payload = (socket: string, turn: number, frame: number): string => `${socket} ${turn}.${frame} `.padEnd(1000, '.');
      // Turns until one leaves the slow socket holding unsent bytes, which its kernel buffers, filling, make it do; the fast peer reads between turns.
      let turns = 0;
      for (;;) {
        for (const [name, socket] of [['slow', slow], ['fast', fast]] as const) {
          for (let frame = 0; frame < 4; frame += 1) writer.writeFramed(socket, frameOnce(Opcode.TEXT, Buffer.from(payload(name, turns, frame))));
        }
        await nextTick();
        turns += 1;
        if (slow.writableLength > 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const [pending, next] = [writes[0]!.at(-1)!, writes[1]!.at(-1)!];
      const overlaps = pending.buffer === next.buffer && pending.byteOffset < next.byteOffset + next.length && next.byteOffset < pending.byteOffset + pending.length;
      expect(overlaps).toBe(false);
      connections.peers[0]!.resume();
      const sent = writes[0]!.reduce((total, chunk) => total + chunk.length, 0);
      const texts = await frameTexts(await untilReceived(connections.received[0]!, sent));
      const expected = Array.from({ length: turns }, (_, turn) => [0, 1, 2, 3].map((frame) => payload('slow', turn, frame))).flat();
      expect(texts).toEqual(expected);
    } finally {
      await connections.close();
    }
  });

  it('gives a socket that still holds unsent bytes its region as a copy of its own, not a view of the shared slab', async () => {
    const { writer } = turnWriter();
    const fast = new RecordingStream();
    const slow = new StalledStream();
    // The slow socket's first write stays pending: what comes next waits in the stream, referenced.
    slow.write(Buffer.from('pending'));
    expect(slow.writableLength).toBeGreaterThan(0);
    writer.deferFrame(fast, textPayload('fast reader'));
    writer.deferFrame(slow, textPayload('slow reader'));
    await nextTick();
    slow.drainOne();
    const [fastBytes, slowBytes] = [fast.calls[0]![0]!, slow.chunks[1]!];
    expect(slowBytes.subarray(2).toString()).toBe('slow reader');
    expect(slowBytes.buffer).not.toBe(fastBytes.buffer);
    // The fast socket's region is a view of the slab the slow one would otherwise have shared.
    expect(fastBytes.buffer.byteLength).toBeGreaterThan(fastBytes.length);
  });

  it('gives a socket that held unsent bytes when its turn began its whole frames as they are, not copies', async () => {
    const { writer } = turnWriter();
    const slow = new StalledStream();
    slow.write(Buffer.from('pending'));
    const [first, second] = [frameOnce(Opcode.TEXT, Buffer.from('first')), frameOnce(Opcode.TEXT, Buffer.from('second'))];
    writer.writeFramed(slow, first);
    writer.writeFramed(slow, second);
    await nextTick();
    slow.drainOne();
    slow.drainOne();
    expect(slow.chunks.slice(1)).toHaveLength(2);
    expect(slow.chunks[1]!.buffer).toBe(first.buffer);
    expect(slow.chunks[2]!.buffer).toBe(second.buffer);
  });

  it('counts what the socket held unsent when its turn began toward maxTurnBytes', () => {
    const budget = 1000;
    const { writer } = turnWriter(budget);
    const slow = new StalledStream();
    slow.write(Buffer.alloc(budget - 100));
    const frameBytes = 2 + 50;
    writer.writeFrame(slow, Opcode.BINARY, [Buffer.alloc(50)]);
    expect(slow.writableLength).toBe(budget - 100);
    // 900 held and 104 in the turn pass the budget: the turn is written at once.
    writer.writeFrame(slow, Opcode.BINARY, [Buffer.alloc(50)]);
    expect(slow.writableLength).toBe(budget - 100 + 2 * frameBytes);
  });

  it('writes a turn of in-place and copied frames with one write and no cork, its region cut to their exact size', async () => {
    const { writer } = turnWriter();
    const socket = new RecordingStream();
    writer.deferFrame(socket, textPayload('sealed one'));
    writer.writeFrame(socket, Opcode.TEXT, [Buffer.from('copied')]);
    writer.deferFrame(socket, textPayload('sealed two'));
    expect(socket.writableCorked).toBe(0);
    await nextTick();
    expect(socket.writableCorked).toBe(0);
    expect(socket.calls).toHaveLength(1);
    // Two sockets with one in-place frame each: the second region starts where the first frame ends.
    const [first, second] = [new RecordingStream(), new RecordingStream()];
    writer.deferFrame(first, textPayload('alone'));
    writer.deferFrame(second, textPayload('alone too'));
    await nextTick();
    const [firstBytes, secondBytes] = [first.calls[0]![0]!, second.calls[0]![0]!];
    expect(firstBytes.buffer).toBe(secondBytes.buffer);
    expect(secondBytes.byteOffset - firstBytes.byteOffset).toBe(2 + 'alone'.length);
    expect((await socket.frames()).map((frame) => frame.text)).toEqual(['sealed one', 'copied', 'sealed two']);
  });

  it('with coalescing by iteration, writes what callbacks of one loop iteration wrote in one call', async () => {
    const writer = new TurnWriter({ maxTurnBytes: LARGE_BUDGET, onBuildFailure: () => undefined, coalescing: 'iteration' });
    const tickWriter = turnWriter().writer;
    const [byIteration, byTick] = [new RecordingStream(), new RecordingStream()];
    // Two callbacks of one check phase, as two frames read in one poll phase are two callbacks.
    await new Promise<void>((resolve) => {
      setImmediate(() => {
        writer.writeFrame(byIteration, Opcode.TEXT, [Buffer.from('one')]);
        tickWriter.writeFrame(byTick, Opcode.TEXT, [Buffer.from('one')]);
      });
      setImmediate(() => {
        writer.writeFrame(byIteration, Opcode.TEXT, [Buffer.from('two')]);
        tickWriter.writeFrame(byTick, Opcode.TEXT, [Buffer.from('two')]);
        setImmediate(resolve);
      });
    });
    expect(byIteration.calls).toHaveLength(1);
    expect(byTick.calls).toHaveLength(2);
    expect((await byIteration.frames()).map((frame) => frame.text)).toEqual(['one', 'two']);
  });

  it('with the turn held open, ends it where it would have ended had the later writes been made then', async () => {
    const writer = new TurnWriter({ maxTurnBytes: LARGE_BUDGET, onBuildFailure: () => undefined, coalescing: 'iteration' });
    const socket = new RecordingStream();
    const callsWhenNextCallbackRan: number[] = [];
    await new Promise<void>((resolve) => {
      setImmediate(() => {
        // A write promised now and made once this callback's synchronous work is done, as a batched room send is.
        writer.holdTurnOpen();
        process.nextTick(() => writer.writeFrame(socket, Opcode.TEXT, [Buffer.from('one')]));
        setImmediate(() => {
          callsWhenNextCallbackRan.push(socket.calls.length);
          writer.writeFrame(socket, Opcode.TEXT, [Buffer.from('two')]);
          setImmediate(resolve);
        });
      });
    });
    // Written before the next iteration's callback, which then starts a turn of its own.
    expect(callsWhenNextCallbackRan).toEqual([1]);
    expect(socket.calls).toHaveLength(2);
  });

  it('with a write delay, holds a socket\'s writes for the delay and writes them in one call, in order', async () => {
    const delayMs = 40;
    const writer = new TurnWriter({ maxTurnBytes: LARGE_BUDGET, onBuildFailure: () => undefined, delayMs });
    const socket = new RecordingStream();
    const started = performance.now();
    writer.writeFramed(socket, frameOnce(Opcode.TEXT, Buffer.from('first')));
    await sleep(5);
    writer.writeFrame(socket, Opcode.TEXT, [Buffer.from('second')]);
    await sleep(5);
    writer.deferFrame(socket, textPayload('third'));
    expect(socket.calls).toHaveLength(0);
    await writer.whenWritten();
    expect(performance.now() - started).toBeGreaterThanOrEqual(delayMs - 1);
    expect(socket.calls).toHaveLength(1);
    expect((await socket.frames()).map((frame) => frame.text)).toEqual(['first', 'second', 'third']);
  });

  it('with a write delay, writes a socket at once when maxTurnBytes are waiting for it, and everything on flushAll', async () => {
    const writer = new TurnWriter({ maxTurnBytes: 1024, onBuildFailure: () => undefined, delayMs: 60_000 });
    const [full, small] = [new RecordingStream(), new RecordingStream()];
    writer.writeFrame(small, Opcode.TEXT, [Buffer.from('small')]);
    writer.writeFrame(full, Opcode.BINARY, [Buffer.alloc(600)]);
    writer.writeFrame(full, Opcode.BINARY, [Buffer.alloc(600)]);
    await nextTick();
    expect(full.calls.flat().reduce((bytes, chunk) => bytes + chunk.length, 0)).toBeGreaterThan(1200);
    expect(small.calls).toHaveLength(0);
    // The pending 60 s timer is cancelled: the test would otherwise keep a timer alive past its end.
    writer.flushAll();
    expect((await small.frames()).map((frame) => frame.text)).toEqual(['small']);
    await expect(writer.whenWritten()).resolves.toBeUndefined();
  });

  it('keeps order across many turn regions when a socket gets more than its first region holds', async () => {
    const { writer } = turnWriter();
    const socket = new RecordingStream();
    const expected = Array.from({ length: 200 }, (_, i) => `message ${i} `.padEnd(300, '.'));
    expected.forEach((text, i) => (i % 3 ? writer.deferFrame(socket, textPayload(text)) : writer.writeFrame(socket, Opcode.BINARY, [Buffer.from(text)])));
    await nextTick();
    expect(socket.calls).toHaveLength(1);
    expect((await socket.frames()).map((frame) => frame.text)).toEqual(expected);
  });

  it('leaves out a deferred frame whose builder throws, reports it, and writes the frames around it', async () => {
    const { writer, failures } = turnWriter();
    const socket = new RecordingStream();
    const failure = new Error('seal failed');
    writer.writeFrame(socket, Opcode.TEXT, [Buffer.from('before')]);
    writer.deferFrame(socket, textPayload('deferred before'));
    writer.deferFrame(socket, {
      byteLength: 10,
      writeTo: (target) => {
        target.fill(0xff);
        throw failure;
      },
    });
    writer.deferFrame(socket, textPayload('deferred after'));
    writer.writeFrame(socket, Opcode.TEXT, [Buffer.from('after')]);
    expect(failures).toEqual([failure]);
    await nextTick();
    expect((await socket.frames()).map((frame) => frame.text)).toEqual(['before', 'deferred before', 'deferred after', 'after']);
  });

  it('builds deferred frames only when the turn is written', async () => {
    const { writer } = turnWriter();
    const socket = new RecordingStream();
    const built: string[] = [];
    const payload = (text: string) => ({ byteLength: text.length, writeTo: (target: Uint8Array) => (built.push(text), target.set(Buffer.from(text))) });
    writer.deferFrame(socket, payload('a'));
    writer.deferFrame(socket, payload('b'));
    expect(built).toEqual([]);
    await nextTick();
    expect(built).toEqual(['a', 'b']);
    expect((await socket.frames()).map((frame) => frame.text)).toEqual(['a', 'b']);
  });

  it('writes at once on flush(socket), and only that socket', async () => {
    const { writer } = turnWriter();
    const first = new RecordingStream();
    const second = new RecordingStream();
    writer.writeFrame(first, Opcode.TEXT, [Buffer.from('now')]);
    writer.writeFrame(second, Opcode.TEXT, [Buffer.from('later')]);
    writer.flush(first);
    expect(first.calls).toHaveLength(1);
    expect(second.calls).toHaveLength(0);
    await nextTick();
    expect(second.calls).toHaveLength(1);
    expect(first.calls).toHaveLength(1);
  });

  it('writes a socket at once when its turn holds maxTurnBytes', async () => {
    const budget = 1000;
    const { writer } = turnWriter(budget);
    const socket = new RecordingStream();
    const frame = 'x'.repeat(300);
    for (let i = 0; i < 3; i += 1) writer.writeFrame(socket, Opcode.TEXT, [Buffer.from(frame)]);
    expect(socket.calls).toHaveLength(0);
    writer.writeFrame(socket, Opcode.TEXT, [Buffer.from(frame)]);
    expect(socket.calls).toHaveLength(1);
    writer.writeFramed(socket, frameOnce(Opcode.TEXT, Buffer.from('tail')));
    await nextTick();
    expect((await socket.frames()).map((parsed) => parsed.text)).toEqual([frame, frame, frame, frame, 'tail']);
  });

  it('counts deferred frames toward maxTurnBytes, building and writing them at once when it is reached', () => {
    const { writer } = turnWriter(1000);
    const socket = new RecordingStream();
    for (let i = 0; i < 3; i += 1) writer.deferFrame(socket, textPayload('y'.repeat(300)));
    expect(socket.calls).toHaveLength(0);
    writer.deferFrame(socket, textPayload('y'.repeat(300)));
    expect(socket.calls).toHaveLength(1);
    expect(Buffer.concat(socket.calls[0]!).length).toBe(4 * (4 + 300));
  });

  it('counts failed builds in the tally of their send, and whenWritten resolves once the turn is built', async () => {
    const { writer } = turnWriter();
    const sockets = [new RecordingStream(), new RecordingStream(), new RecordingStream()];
    const tally = { failed: 0 };
    const other = { failed: 0 };
    const failing = { byteLength: 4, writeTo: () => { throw new Error('channel closed'); } };
    writer.deferFrame(sockets[0]!, textPayload('good'), tally);
    writer.deferFrame(sockets[1]!, failing, tally);
    writer.deferFrame(sockets[2]!, failing, other);
    const written = writer.whenWritten();
    expect(tally.failed).toBe(0);
    await written;
    expect(tally).toEqual({ failed: 1 });
    expect(other).toEqual({ failed: 1 });
    expect(await sockets[0]!.frames()).toEqual([{ text: 'good', isBinary: true }]);
  });

  it('counts a failed build in its own tally when whole frames without a tally came before it in the turn', async () => {
    const { writer, failures } = turnWriter();
    const socket = new RecordingStream();
    const tally = { failed: 0 };
    writer.writeFramed(socket, frameOnce(Opcode.TEXT, Buffer.from('first')));
    writer.writeFramed(socket, frameOnce(Opcode.TEXT, Buffer.from('second')));
    writer.deferFrame(socket, { byteLength: 4, writeTo: () => { throw new Error('channel closed'); } }, tally);
    writer.deferFrame(socket, textPayload('third'));
    await writer.whenWritten();
    expect(tally).toEqual({ failed: 1 });
    expect(failures).toHaveLength(1);
    expect((await socket.frames()).map((frame) => frame.text)).toEqual(['first', 'second', 'third']);
  });

  it('whenWritten resolves at once when no turn is being collected', async () => {
    const { writer } = turnWriter();
    let resolved = false;
    void writer.whenWritten().then(() => {
      resolved = true;
    });
    await Promise.resolve();
    expect(resolved).toBe(true);
  });
});
