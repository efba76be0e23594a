import type { ContenderRun } from './bench-protocol.ts';
import type { ResultRow } from './scenarios.ts';

/** A target from the benchmarks issue: a ratio measured in one run, and whether it held. */
export interface TargetCheck {
  target: string;
  ratio: number;
  bound: string;
  met: boolean;
}

const round = (value: number | undefined, digits = 1): string =>
  value === undefined || Number.isNaN(value) ? '-' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const thousands = (value: number | undefined): string =>
  value === undefined || Number.isNaN(value) ? '-' : `${Math.round(value / 1000).toLocaleString('en-US')}k`;

/** The results as Markdown tables, one per kind of scenario, and the targets. */
export function markdownReport(rows: readonly ResultRow[], targets: readonly TargetCheck[], machine: string): string {
  const lines: string[] = [`Machine: ${machine}`, ''];
  const broadcast = rows.filter((row) => row.deliveriesPerSec !== undefined && row.offeredMessagesPerSec === undefined);
  lines.push('| scenario | contender | room | deliveries/s | server CPU per delivery (us) | of it in user space (us) |', '|---|---|---|---|---|---|');
  for (const row of broadcast) {
    lines.push(
      `| ${row.scenario} | ${row.contender} | ${row.roomSize} | ${thousands(row.deliveriesPerSec)} | ${round(row.serverCpuUsPerDelivery, 2)} | ${round(row.serverUserCpuUsPerDelivery, 2)} |`,
    );
  }
  const relay = rows.filter((row) => row.offeredMessagesPerSec !== undefined);
  if (relay.length > 0) {
    lines.push(
      '',
      '| chat relay (a tenth of the room sends) | contender | room | messages/s offered | deliveries/s | server CPU per delivery (us) | p50 / p99 / p99.9 latency (ms) |',
      '|---|---|---|---|---|---|---|',
    );
    for (const row of relay) {
      lines.push(
        `| ${row.scenario} | ${row.contender} | ${row.roomSize} | ${round(row.offeredMessagesPerSec, 0)} | ${thousands(row.deliveriesPerSec)} | ${round(row.serverCpuUsPerDelivery, 2)} | ${round(row.latencyP50Ms, 2)} / ${round(row.latencyP99Ms, 2)} / ${round(row.latencyP999Ms, 2)} |`,
      );
    }
  }
  const setup = rows.filter((row) => row.setupsPerSec !== undefined);
  if (setup.length > 0) {
    lines.push('', '| contender | set-ups/s (connect, auth, handshake, first round trip) | server CPU per set-up (us) |', '|---|---|---|');
    for (const row of setup) lines.push(`| ${row.contender} | ${round(row.setupsPerSec, 0)} | ${round(row.serverCpuUsPerSetup, 0)} |`);
  }
  const handshake = rows.filter((row) => row.serverCryptoUsPerSetup !== undefined);
  if (handshake.length > 0) {
    lines.push('', '| handshake (crypto only, no sockets) | client CPU, portable provider (us) | server CPU, Node provider (us) |', '|---|---|---|');
    for (const row of handshake) lines.push(`| ${row.contender} | ${round(row.clientCryptoUsPerSetup, 0)} | ${round(row.serverCryptoUsPerSetup, 0)} |`);
  }
  const memory = rows.filter((row) => row.rssKiBPerConnection !== undefined);
  if (memory.length > 0) {
    lines.push('', '| contender | RSS per idle connection (KiB) | JS heap per idle connection (KiB) |', '|---|---|---|');
    for (const row of memory) lines.push(`| ${row.contender} | ${round(row.rssKiBPerConnection)} | ${round(row.heapKiBPerConnection)} |`);
  }
  const latency = rows.filter((row) => row.latencyP50Ms !== undefined && row.offeredMessagesPerSec === undefined);
  if (latency.length > 0) {
    lines.push('', '| scenario | contender | room | p50 (ms) | p99 (ms) |', '|---|---|---|---|---|');
    for (const row of latency) lines.push(`| ${row.scenario} | ${row.contender} | ${row.roomSize} | ${round(row.latencyP50Ms, 2)} | ${round(row.latencyP99Ms, 2)} |`);
  }
  lines.push('', '| target | measured | bound | met |', '|---|---|---|---|');
  for (const check of targets) lines.push(`| ${check.target} | ${round(check.ratio, 2)} | ${check.bound} | ${check.met ? 'yes' : '**no**'} |`);
  return `${lines.join('\n')}\n`;
}

const CHART = { width: 760, height: 380, left: 70, right: 220, top: 30, bottom: 50 } as const;
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];
const PLOT = { width: CHART.width - CHART.left - CHART.right, height: CHART.height - CHART.top - CHART.bottom } as const;
/** Horizontal grid lines, with their values, from 0 to the top of the scale. */
const GRID_STEPS = 4;

/** A chart's colour for the contender at `index` of its legend. */
const colorOf = (index: number): string => PALETTE[index % PALETTE.length]!;

/**
 * What every chart shares: the frame and title, the value axis from 0 to
 * `max` with its grid, and a legend naming one colour per contender. Returns
 * the parts to draw the plot into, and the value-to-y scale.
 */
function chartFrame(title: string, max: number, tickLabel: (value: number) => string, contenders: readonly ContenderRun[]): { parts: string[]; y: (value: number) => number } {
  const y = (value: number): number => CHART.top + PLOT.height - (value / max) * PLOT.height;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${CHART.height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${CHART.left}" y="18" font-size="14" font-weight="bold">${title}</text>`,
  ];
  for (let tick = 0; tick <= GRID_STEPS; tick += 1) {
    const value = (max / GRID_STEPS) * tick;
    parts.push(`<line x1="${CHART.left}" x2="${CHART.left + PLOT.width}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`);
    parts.push(`<text x="${CHART.left - 6}" y="${y(value) + 4}" text-anchor="end">${tickLabel(value)}</text>`);
  }
  const legendX = CHART.left + PLOT.width + 20;
  contenders.forEach((contender, index) => {
    parts.push(`<rect x="${legendX}" y="${CHART.top + index * 20}" width="12" height="12" fill="${colorOf(index)}"/>`);
    parts.push(`<text x="${legendX + 18}" y="${CHART.top + index * 20 + 10}">${contender}</text>`);
  });
  return { parts, y };
}

/** A grouped bar chart (SVG) of deliveries per second against room size, one colour per contender. */
export function broadcastChart(rows: readonly ResultRow[]): string {
  const bars = rows.filter((row) => row.deliveriesPerSec !== undefined && row.offeredMessagesPerSec === undefined);
  const sizes = [...new Set(bars.map((row) => row.roomSize))].sort((a, b) => a - b);
  const contenders = [...new Set(bars.map((row) => row.contender))] as ContenderRun[];
  const max = Math.max(...bars.map((row) => row.deliveriesPerSec!)) * 1.1;
  const groupWidth = PLOT.width / sizes.length;
  const barWidth = (groupWidth * 0.8) / contenders.length;
  const { parts, y } = chartFrame(
    'Room broadcast, 256-byte messages: deliveries per second (median)',
    max,
    (value) => `${Math.round(value / 1000)}k`,
    contenders,
  );
  sizes.forEach((size, group) => {
    const groupX = CHART.left + group * groupWidth + groupWidth * 0.1;
    parts.push(`<text x="${groupX + (groupWidth * 0.8) / 2}" y="${CHART.top + PLOT.height + 20}" text-anchor="middle">room of ${size}</text>`);
    contenders.forEach((contender, index) => {
      const row = bars.find((candidate) => candidate.roomSize === size && candidate.contender === contender);
      if (!row) return;
      const x = groupX + index * barWidth;
      parts.push(
        `<rect x="${x}" y="${y(row.deliveriesPerSec!)}" width="${barWidth - 2}" height="${CHART.top + PLOT.height - y(row.deliveriesPerSec!)}" fill="${colorOf(index)}"/>`,
      );
    });
  });
  parts.push(`<text x="${CHART.left + PLOT.width / 2}" y="${CHART.height - 10}" text-anchor="middle">room size</text>`, '</svg>');
  return `${parts.join('\n')}\n`;
}

/** The room-size curve: server CPU per delivery against the room size (log scale), one line per contender. */
export function roomSizeCurveChart(rows: readonly ResultRow[]): string {
  const sizes = [...new Set(rows.map((row) => row.roomSize))].sort((a, b) => a - b);
  const contenders = [...new Set(rows.map((row) => row.contender))] as ContenderRun[];
  const max = Math.max(...rows.map((row) => row.serverCpuUsPerDelivery!)) * 1.2;
  const [smallest, largest] = [Math.log10(sizes[0]!), Math.log10(sizes.at(-1)!)];
  const x = (size: number): number => CHART.left + ((Math.log10(size) - smallest) / Math.max(largest - smallest, 1)) * PLOT.width;
  const { parts, y } = chartFrame(
    'Room broadcast, 256-byte messages: server CPU per delivery (us, median) by room size',
    max,
    (value) => value.toFixed(2),
    contenders,
  );
  for (const size of sizes) parts.push(`<text x="${x(size)}" y="${CHART.top + PLOT.height + 20}" text-anchor="middle">room of ${size.toLocaleString('en-US')}</text>`);
  contenders.forEach((contender, index) => {
    const points = sizes.flatMap((size) => {
      const row = rows.find((candidate) => candidate.roomSize === size && candidate.contender === contender);
      return row ? [[x(size), y(row.serverCpuUsPerDelivery!)] as const] : [];
    });
    parts.push(`<polyline fill="none" stroke="${colorOf(index)}" stroke-width="2" points="${points.map(([px, py]) => `${px},${py}`).join(' ')}"/>`);
    for (const [px, py] of points) parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${colorOf(index)}"/>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
