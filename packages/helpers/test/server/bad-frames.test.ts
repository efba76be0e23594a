import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../src/index.ts';
import { TestClient, closeAfterEach } from '@sealed/test-support';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { capturingLogger } from '../support/capturing-logger.ts';

const track = closeAfterEach();
let server: TestServer;

/** A client in the lobby, closed after the test. */
async function connectAs(user: string): Promise<TestClient> {
  return track(await TestClient.as(server.url, user, ['lobby']));
}

const badFrames: Array<[string, string | Buffer, string, boolean?]> = [
  ['text that is not JSON', '{"event":', ErrorCode.INVALID_JSON],
  ['JSON null', 'null', ErrorCode.INVALID_FRAME],
  ['a JSON array', '[1,2]', ErrorCode.INVALID_FRAME],
  ['a JSON number', '12', ErrorCode.INVALID_FRAME],
  ['an event that is not a string', '{"event":{"name":"chat"}}', ErrorCode.INVALID_EVENT],
  ['rooms that are not an array of strings', '{"event":"join","data":{"rooms":[null]}}', ErrorCode.INVALID_PAYLOAD],
  ['a __proto__ key', '{"event":"chat","data":{"__proto__":{"admin":true}}}', ErrorCode.FORBIDDEN_KEY],
  ['a constructor key', '{"event":"chat","data":{"constructor":{"prototype":{}}}}', ErrorCode.FORBIDDEN_KEY],
  ['a binary frame', Buffer.from('{"event":"chat"}'), ErrorCode.BINARY_NOT_SUPPORTED, true],
];

describe('bad frames', () => {
  it.each(badFrames)('answers %s with an error, never reaches the handler, and keeps serving', async (_name, frame, code, binary) => {
    const handled: string[] = [];
    server = track(await startTestServer({ messageHandler: ({ event }) => void handled.push(event) }));
    const attacker = await connectAs('mallory');
    const bystander = await connectAs('bob');

    attacker.sendRaw(frame, { binary: binary ?? false });
    expect((await attacker.next('error')).data.code).toBe(code);

    attacker.send('ping-after');
    bystander.send('still-here');
    await server.helper.sendToRoom({ room: 'lobby', event: 'news' });
    await Promise.all([attacker.next('news'), bystander.next('news')]);
    await expect.poll(() => handled).toEqual(['ping-after', 'still-here']);
    expect(server.helper.getMetrics().framesRejected).toBe(1);
    expect(Object.prototype).not.toHaveProperty('admin');
  });

  it('logs a flood of bad frames as one line at once and one summary, not a line per frame', async () => {
    const { logger, lines } = capturingLogger();
    server = track(await startTestServer({ logger, repeatedLogIntervalMs: 200 }));
    const attacker = await connectAs('mallory');
    for (let n = 0; n < 100; n += 1) attacker.sendRaw('{"event":');
    await expect.poll(() => attacker.all('error').length).toBe(100);
    const rejections = () => lines.filter((line) => line.kind === 'frame rejected');
    expect(rejections()).toEqual([expect.objectContaining({ level: 40, reason: ErrorCode.INVALID_JSON })]);
    await expect.poll(rejections).toHaveLength(2);
    expect(rejections()[1]).toMatchObject({ counts: { [ErrorCode.INVALID_JSON]: 100 }, windowMs: 200 });
  });

  it('closes an oversize frame with 1009 and keeps serving the others', async () => {
    server = track(await startTestServer({ maxPayloadBytes: 1024 }));
    const attacker = await connectAs('mallory');
    const bystander = await connectAs('bob');
    attacker.send('chat', { text: 'x'.repeat(2048) });
    expect((await attacker.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    const report = await server.helper.sendToRoom({ room: 'lobby', event: 'news' });
    expect(report.delivered).toBe(1);
    await bystander.next('news');
  });

  it('closes a client that floods past its rate limit with 4006', async () => {
    server = track(await startTestServer({ rateLimit: { messagesPerSecond: 1, burst: 5 } }));
    const attacker = await connectAs('mallory');
    const bystander = await connectAs('bob');
    for (let i = 0; i < 20; i += 1) attacker.send('heartbeat');
    expect((await attacker.closed).code).toBe(CloseCode.RATE_LIMITED);
    await server.helper.sendToRoom({ room: 'lobby', event: 'news' });
    await bystander.next('news');
  });

  it('closes a client that sends more bytes than its byte rate allows with 4006, though few frames', async () => {
    server = track(await startTestServer({ inboundBytesPerSecond: 1024, inboundBurstBytes: 8 * 1024, maxPayloadBytes: 4 * 1024 }));
    const attacker = await connectAs('mallory');
    const bystander = await connectAs('bob');
    // Four frames of about 3 KiB: well inside the frame rate, past the 8 KiB burst.
    for (let i = 0; i < 4; i += 1) attacker.send('chat', { text: 'x'.repeat(3 * 1024) });
    expect((await attacker.closed).code).toBe(CloseCode.RATE_LIMITED);
    expect(server.helper.getMetrics()).toMatchObject({ byteRateLimitCloses: 1, rateLimitCloses: 1 });
    await server.helper.sendToRoom({ room: 'lobby', event: 'news' });
    await bystander.next('news');
  });

  it('refuses a byte burst smaller than the largest frame at construction', async () => {
    await expect(startTestServer({ inboundBurstBytes: 1024, maxPayloadBytes: 4096 })).rejects.toThrow(/inboundBurstBytes/);
  });

  it('closes a client whose frames pile up behind a slow handler with 4006', async () => {
    server = track(await startTestServer({ maxInboundQueue: 3, messageHandler: () => new Promise(() => undefined) }));
    const attacker = await connectAs('mallory');
    for (let i = 0; i < 10; i += 1) attacker.send('chat', { i });
    expect((await attacker.closed).code).toBe(CloseCode.RATE_LIMITED);
  });
});
