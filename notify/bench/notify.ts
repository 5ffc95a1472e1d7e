/**
 * bench:notify — deliveries per second through the event log to local stand-ins, and the latency
 * from an alarm's commit (the event log transaction) to the request at the provider.
 *   1. backlog: N dispatch events committed at once, to 4 signed webhooks (a stand-in on loopback
 *      verifying each signature): deliveries/s and requests/s until every one is delivered
 *      (a backlog leaves in batches: all pending deliveries to a target that fit one request);
 *   2. latency: P1 dispatches committed one at a time at a steady rate, each to a WeCom robot
 *      stand-in of its own grid (20 per minute each, never reached): commit -> request p50/p99.
 * Prints figures; not a test.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { Kysely } from 'kysely';
import pino from 'pino';
import type { Ticket } from '@gridhub/core';
import { createStore } from '@gridhub/store';
import { tempDir } from '@gridhub/testkit';
import { createNotifier } from '../src/index.ts';
import { webhookStandIn, wecomStandIn } from '../test/standins.ts';
import { dispatched, P1_TICKET } from '../test/events.ts';

const N = Number(process.env.BENCH_EVENTS ?? 2000);
const LATENCY_EVENTS = Number(process.env.BENCH_LATENCY_EVENTS ?? 300);
const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 20);
const HOOKS = 4;
const GRIDS = 30;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
};

async function main() {
  const dir = tempDir('bench-notify');
  const store = await createStore({ dataDir: dir });
  await store.migrate();
  const hook = await webhookStandIn('city-secret');
  const wecom = await wecomStandIn(Array.from({ length: GRIDS }, (_, i) => `wk-bench-${i}`));
  const commitOf = async (t: Ticket) => {
    await store.eventLog.transaction(async (_tx, record) => record(dispatched(t)));
    return Date.now();
  };
  const file = `version: 1
channels:
${Array.from({ length: HOOKS }, (_, i) => `  - { id: hook-${i}, type: webhook, url: "${hook.url}/hook/${i}", secret: city-secret, perMinute: 100000 }`).join('\n')}
${Array.from({ length: GRIDS }, (_, i) => `  - { id: wecom-${i}, type: wecom, key: wk-bench-${i}, grids: [g${i}], url: "${wecom.url}/cgi-bin/webhook/send" }`).join('\n')}
routes:
  - { name: backlog, match: { priorities: [P2] }, groups: [${Array.from({ length: HOOKS }, (_, i) => `hook-${i}`).join(', ')}] }
  - { name: latency, match: { priorities: [P1] }, groups: [grid] }
`;
  const notifier = await createNotifier({
    db: store.db as unknown as Kysely<any>, reader: store.eventLog, people: async () => [], silences: () => [], where: async () => ({ estate: '和苑', building: '3号楼', unit: '1单元', floor: 5 }),
    assignees: async () => [], log: pino({ level: 'warn' }), secretKey: randomBytes(32), publicUrl: 'https://hub.example.cn',
  });
  await notifier.putConfig(file, 'bench');

  // 1. Backlog throughput.
  const t0 = Date.now();
  await store.eventLog.transaction(async (_tx, record) => {
    for (let i = 0; i < N; i++) record(dispatched(P1_TICKET(i, { priority: 'P2' })));
  });
  const committedMs = Date.now() - t0;
  const total = N * HOOKS;
  const delivered = async () => (await notifier.store.countByState()).filter((r) => r.state === 'delivered').reduce((a, r) => a + r.n, 0);
  while ((await delivered()) < total) await new Promise((r) => setTimeout(r, 100));
  const elapsed = (Date.now() - t0) / 1000;
  const requests = hook.accepted.length;
  if (hook.refused.length) throw new Error(`the webhook stand-in refused ${hook.refused.length} requests: ${hook.refused[0]!.reason}`);
  console.log(`backlog: ${N} events (committed in ${committedMs} ms) x ${HOOKS} webhooks = ${total} deliveries in ${elapsed.toFixed(2)} s: ${Math.round(total / elapsed)} deliveries/s in ${requests} requests (${Math.round(requests / elapsed)} requests/s: a backlog leaves in batches, every pending delivery to a target that fits one request)`);

  // 2. Commit -> request latency, one alarm at a time.
  const committed = new Map<string, number>();
  const start = Date.now();
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const due = start + (i * 1000) / LATENCY_RATE;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    const t = P1_TICKET(100_000 + i, { gridId: `g${i % GRIDS}`, place: { street: 's', community: 'c', grid: `g${i % GRIDS}`, estate: 'e', building: `b${i}`, unit: null } });
    committed.set(t.id, await commitOf(t));
  }
  while (wecom.accepted.length < LATENCY_EVENTS) await new Promise((r) => setTimeout(r, 100));
  const lat: number[] = [];
  for (const r of wecom.accepted) {
    const id = /tickets\/(T-\d+)/.exec(r.raw)?.[1];
    const c = id ? committed.get(id) : undefined;
    if (c !== undefined) lat.push(r.atMs - c);
  }
  if (wecom.refused.length) throw new Error(`the WeCom stand-in refused ${wecom.refused.length} requests: ${wecom.refused[0]!.reason}`);
  console.log(`latency: ${lat.length} P1 alarms at ${LATENCY_RATE}/s over ${GRIDS} WeCom robots: commit -> request at the provider p50 ${quantile(lat, 0.5)} ms, p99 ${quantile(lat, 0.99)} ms, max ${Math.max(...lat)} ms`);

  await notifier.close();
  await store.close();
  await hook.close();
  await wecom.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
