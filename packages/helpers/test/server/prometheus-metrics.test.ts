import { afterEach, describe, expect, it } from 'vitest';
import type { SealedClient } from '../../src/client/index.ts';
import { PrometheusMetrics } from '../../src/index.ts';
import { sdkClient, startSecureServer, type SecureTestServer } from '../support/secure-test-server.ts';

let server: SecureTestServer | undefined;
let metrics: PrometheusMetrics | undefined;
const clients: SealedClient[] = [];
afterEach(async () => {
  metrics?.close();
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

const MEMBERS = 3;
const SENDS = 5;

/** One sample of the exposition text: its value, or undefined when the line is not there. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function roomWithTraffic(): Promise<SecureTestServer> {
  server = await startSecureServer();
  metrics = new PrometheusMetrics({ server: server.helper, kit: server.kit });
  for (let n = 0; n < MEMBERS; n += 1) {
    const client = sdkClient(server.url, `user-${n}`);
    clients.push(client);
    await client.connect();
    await client.join(['lobby']);
  }
  for (let n = 0; n < SENDS; n += 1) await server.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n } });
  return server;
}

describe('PrometheusMetrics', () => {
  it('exports the server and kit counters, the gauges and both histograms under the sealed_ prefix', async () => {
    const live = await roomWithTraffic();
    const text = await metrics!.scrape();
    expect(metrics!.contentType).toMatch(/^text\/plain/);
    expect(sample(text, 'sealed_clients_opened_total')).toBe(MEMBERS);
    expect(sample(text, 'sealed_messages_delivered_total')).toBe(live.helper.getMetrics().messagesDelivered);
    expect(sample(text, 'sealed_messages_delivered_total')).toBeGreaterThanOrEqual(MEMBERS * SENDS);
    expect(sample(text, 'sealed_connections')).toBe(MEMBERS);
    expect(sample(text, 'sealed_rooms')).toBe(1);
    expect(sample(text, 'sealed_kit_handshakes_completed_total')).toBe(MEMBERS);
    expect(sample(text, 'sealed_client_open_duration_seconds_count')).toBe(MEMBERS);
    expect(sample(text, 'sealed_delivery_duration_seconds_count{target="room"}')).toBe(SENDS);
    expect(sample(text, 'sealed_delivery_duration_seconds_bucket{le="+Inf",target="room"}')).toBe(SENDS);
    for (const name of Object.keys(live.helper.getMetrics())) {
      expect(text).toMatch(new RegExp(`^# TYPE sealed_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}(_total)? (counter|gauge)$`, 'm'));
    }
    expect(text.split('\n').filter((line) => line.startsWith('# TYPE ')).every((line) => line.startsWith('# TYPE sealed_'))).toBe(true);
  });

  it('labels the kit refusals by reason', async () => {
    const live = await roomWithTraffic();
    const stranger = sdkClient(live.url, 'user-0', { reconnect: { enabled: false } });
    clients.push(stranger);
    // A second key for a pinned user is refused by the kit.
    await expect(stranger.connect()).rejects.toMatchObject({ code: 'CLIENT_KEY_MISMATCH' });
    expect(sample(await metrics!.scrape(), 'sealed_kit_handshake_refusals_total{reason="CLIENT_KEY_MISMATCH"}')).toBe(1);
  });

  it('empties its registry once closed, and a new exporter counts sends from its own start', async () => {
    const live = await roomWithTraffic();
    const registry = metrics!.registry;
    metrics!.close();
    metrics = undefined;
    await live.helper.sendToRoom({ room: 'lobby', event: 'chat', data: { n: SENDS } });
    expect(await registry.metrics()).toBe('\n');
    const again = new PrometheusMetrics({ server: live.helper });
    metrics = again;
    expect(sample(await again.scrape(), 'sealed_delivery_duration_seconds_count{target="room"}')).toBeUndefined();
    await live.helper.broadcast({ event: 'chat', data: { n: SENDS + 1 } });
    expect(sample(await again.scrape(), 'sealed_delivery_duration_seconds_count{target="all"}')).toBe(1);
  });
});
