/**
 * `pnpm bench:turn-writer`: the turn writer's own bookkeeping, without
 * sockets or the kernel. Frames built once are handed to `writeFramed` for
 * every one of N streams that discard what they are given, `PER_TURN` at a
 * time, and the turn is flushed; reported as nanoseconds of wall time per
 * frame, the median of `ROUNDS` rounds, for rooms of 100, 1,000 and 10,000.
 * What grows with the room here is the memory the writer touches per
 * frame, which no longer fits in the caches. The streams are not TCP
 * sockets, so regions are never given back to the slab: every turn cuts
 * fresh ones, as it does for a TLS socket.
 */
import { Duplex } from 'node:stream';
import { TurnWriter } from '../packages/helpers/src/server/delivery/turn-writer.ts';
import { Opcode, frameOnce } from '../packages/helpers/src/server/delivery/websocket-frame.ts';
import { SERVER_SETTINGS } from '../packages/helpers/src/server/server-settings.ts';
import { BURST, MESSAGE_BYTES, ONE_PER_TURN } from './lib/bench-protocol.ts';
import { median } from './lib/stats.ts';

const ROOM_SIZES = [100, 1000, 10_000];
/** Frames per round, whatever the room: rounds of equal work. */
const FRAMES_PER_ROUND = 2_000_000;
const ROUNDS = 5;
const MAX_TURN_BYTES = SERVER_SETTINGS.maxTurnBytes.value;
const NANOSECONDS_PER_MILLISECOND = 1e6;

/** A stream that takes every write at once and keeps nothing. */
function discardingStream(): Duplex {
  return new Duplex({
    read: () => undefined,
    write: (_chunk, _encoding, callback) => callback(),
    writev: (_chunks, callback) => callback(),
  });
}

function nanosecondsPerFrame(roomSize: number, perTurn: number): number {
  const streams = Array.from({ length: roomSize }, discardingStream);
  const writer = new TurnWriter({ maxTurnBytes: MAX_TURN_BYTES, onBuildFailure: () => undefined });
  const frame = frameOnce(Opcode.TEXT, Buffer.alloc(MESSAGE_BYTES, 'a'));
  const turns = Math.max(1, Math.round(FRAMES_PER_ROUND / roomSize / perTurn));
  const started = performance.now();
  for (let turn = 0; turn < turns; turn += 1) {
    for (let message = 0; message < perTurn; message += 1) for (const stream of streams) writer.writeFramed(stream, frame);
    writer.flushAll();
  }
  return ((performance.now() - started) * NANOSECONDS_PER_MILLISECOND) / (turns * perTurn * roomSize);
}

const lines = [`| frames per turn | room | ns per frame (median of ${ROUNDS} rounds) |`, '|---|---|---|'];
for (const perTurn of [ONE_PER_TURN, BURST]) {
  for (const roomSize of ROOM_SIZES) {
    // The first round warms the code up and is not counted.
    nanosecondsPerFrame(roomSize, perTurn);
    const rounds = Array.from({ length: ROUNDS }, () => nanosecondsPerFrame(roomSize, perTurn));
    lines.push(`| ${perTurn} | ${roomSize} | ${median(rounds).toFixed(0)} |`);
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
