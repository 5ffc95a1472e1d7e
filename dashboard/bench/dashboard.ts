/**
 * `npm run bench:dashboard`: the desk in headless Chromium with 10,000 devices while 500 device
 * events per second stream in, for 30 s; counts long tasks (Chromium's `longtask` entries) and
 * prints the figures.
 *
 * The server side is the hub's real realtime module (Socket.IO, rooms, coalescing every 250 ms)
 * fed synthetic readings; the few REST routes the desk reads at start (session, site, KPIs,
 * devices) are served from the same synthetic site, so the figures measure the browser, not the
 * store.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import type { DeviceKind, DeviceLive, LiveTicket, Reading, RealtimeUser } from '@gridhub/core';
import { createRealtime } from '../../hub/src/realtime/index.ts';
import { DASHBOARD_ROOT, ensureDashboardBuilt, launchChromium } from './browser.ts';

const DEVICES = 10_000;
const EVENTS_PER_SEC = 500;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 30_000);
const GRIDS = 20;
const ESTATES_PER_GRID = 2;
const BUILDINGS = 5;
const KINDS: DeviceKind[] = ['smoke', 'smoke', 'smoke', 'bin', 'manhole', 'ebike'];

// ---- a synthetic district: 20 grids x 2 estates x 250 devices ----
const perEstate = DEVICES / (GRIDS * ESTATES_PER_GRID);
const grids = Array.from({ length: GRIDS }, (_, g) => {
  const gridId = `g${g}`;
  const estates = Array.from({ length: ESTATES_PER_GRID }, (_, e) => {
    const estateId = `${gridId}-e${e}`;
    const buildings = Array.from({ length: BUILDINGS }, (_, b) => ({
      id: `${estateId}-b${b}`, name: `${b + 1}号楼`, estateId, floors: 18, x: 10 + (b % 3) * 60, y: 10 + Math.floor(b / 3) * 50, w: 40, h: 16,
      units: [1, 2].map((u) => ({ id: `${estateId}-b${b}-u${u}`, name: `${u}单元`, buildingId: `${estateId}-b${b}`, elevators: [] })),
    }));
    return { id: estateId, name: `小区${g}-${e}`, gridId, widthM: 200, heightM: 120, buildings, deviceCounts: {} };
  });
  return { id: gridId, name: `第${g + 1}网格`, communityId: 'c1', wardens: [], estates };
});
const devices = grids.flatMap((g) =>
  g.estates.flatMap((e) =>
    Array.from({ length: perEstate }, (_, i) => {
      const kind = KINDS[i % KINDS.length]!;
      const b = e.buildings[i % BUILDINGS]!;
      const outdoor = kind === 'bin' || kind === 'manhole';
      return {
        id: `${e.id}-d${i}`, kind, name: null, estateId: e.id, buildingId: outdoor ? null : b.id, unitId: outdoor ? null : b.units[i % 2]!.id, floor: outdoor ? null : 1 + (i % 18),
        elevatorId: null, x: outdoor ? 5 + ((i * 7) % 190) : null, y: outdoor ? 100 + (i % 15) : null, installedAt: null, binDepthMm: null, sensorOffsetMm: null,
        place: { street: 's1', community: 'c1', grid: g.id, estate: e.id, building: outdoor ? null : b.id, unit: null },
      };
    }),
  ),
);
const site = { street: { id: 's1', name: '基准街道' }, communities: [{ id: 'c1', name: '基准社区', grids }] };
const operator: RealtimeUser = { id: 'op', name: 'Bench operator', role: 'operator', gridIds: null, department: null };

function ticket(i: number, nowMs: number): LiveTicket {
  const d = devices[(i * 37) % devices.length]!;
  return {
    id: `t${i}`, ruleId: 'smoke-alarm', subjectKey: d.id, deviceId: d.id, deviceKind: d.kind, priority: (['P1', 'P2', 'P3'] as const)[i % 3]!, title: '火警报警 Smoke alarm',
    place: d.place, status: (['new', 'dispatched', 'accepted', 'on_site', 'resolved'] as const)[i % 5]!, gridId: d.place.grid, assigneeId: i % 5 ? 'w1' : null, department: null,
    incidentId: null, acknowledgedMs: i % 4 ? nowMs : null, acknowledgedBy: i % 4 ? 'op' : null, occurrences: 1, firstSeenMs: nowMs, lastSeenMs: nowMs, createdMs: nowMs, dispatchedMs: nowMs, acceptedMs: null, onSiteMs: null, resolvedMs: null, closedMs: null,
    conditionClearedMs: null, escalation: 0, overdue: [], firedTimers: [], returnCount: 0, reopenCount: 0, version: 1, deadlines: { accept: nowMs + 120_000, close: nowMs + 7_200_000 },
  };
}

// ---- the server: dist + the REST the desk reads at start + the real realtime module ----
ensureDashboardBuilt();
const dist = join(DASHBOARD_ROOT, 'dist');
if (!existsSync(join(dist, 'index.html'))) throw new Error('dashboard/dist is missing');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.woff': 'font/woff', '.webmanifest': 'application/manifest+json' };
const json = (body: unknown) => ({ type: 'application/json', body: JSON.stringify(body) });
function route(url: URL): { type: string; body: string | Buffer } {
  const p = url.pathname;
  // As the hub answers it: the user beside their scope.
  if (p === '/api/auth/me') return json({ user: { id: 'op', username: 'op', name: operator.name, role: 'operator', gridId: null, department: null, createdMs: 0 }, gridIds: null, department: null });
  if (p === '/api/site') return json(site);
  if (p === '/api/kpis') return json({ period: '24h', by: url.searchParams.get('by'), groups: {} });
  if (p === '/api/devices') {
    const estate = url.searchParams.get('estate');
    const items = devices.filter((d) => !estate || d.estateId === estate).slice(0, Number(url.searchParams.get('limit') ?? 100));
    return json({ total: items.length, items: items.map((d) => ({ ...d, state: null, liveness: 'unknown' })) });
  }
  const file = join(dist, p);
  if (p.startsWith('/assets/') && existsSync(file)) return { type: TYPES[extname(p)] ?? 'application/octet-stream', body: readFileSync(file) };
  return { type: 'text/html', body: readFileSync(join(dist, 'index.html')) };
}
const http = createServer((req, res) => {
  const { type, body } = route(new URL(req.url ?? '/', 'http://x'));
  res.writeHead(200, { 'content-type': type }).end(body);
});
const started = Date.now();
const rt = createRealtime({
  server: http,
  // a session as the hub's authenticate gives it (issue 9's sessions)
  authenticate: async () => ({ user: operator, sessionId: 'bench', expiresMs: Date.now() + 24 * 3600_000 }),
  loadDevices: async () => devices.map((d): DeviceLive => ({ id: d.id, kind: d.kind, gridId: d.place.grid, estateId: d.estateId, liveness: 'online', alarm: false, batteryPct: 90, lastSeenMs: started, lastEvent: null })),
  loadTickets: async () => Array.from({ length: 60 }, (_, i) => ticket(i, started)),
});
await rt.start();
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

// ---- the browser ----
const browser = await launchChromium();
const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
await page.addInitScript(() => {
  const w = window as unknown as { __long: number[]; __longAt: number[] };
  w.__long = [];
  w.__longAt = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      w.__long.push(e.duration);
      w.__longAt.push(e.startTime);
    }
  }).observe({ type: 'longtask', buffered: true });
});
await page.goto(`${base}/`);
await page.locator('html[data-live=ready]').waitFor({ state: 'attached', timeout: 60_000 });
await page.waitForTimeout(2000); // let the first render and chart chunks settle
await page.evaluate(() => {
  const w = window as unknown as { __long: number[]; __longAt: number[] };
  w.__long = [];
  w.__longAt = [];
});

// ---- the stream: 500 events/s in 20 ms slices, a ticket change every 200 ms ----
let seq = 0;
let sent = 0;
let ticketNo = 60;
const slice = EVENTS_PER_SEC / 50;
const stream = setInterval(() => {
  const now = Date.now();
  const batch: Reading[] = [];
  for (let i = 0; i < slice; i++) {
    const d = devices[Math.floor(Math.random() * devices.length)]!;
    const event = seq % 10 === 0;
    batch.push({ deviceId: d.id, kind: d.kind, message: event ? 'event' : 'telemetry', tsMs: now, seq: seq++, rxMs: now, place: d.place, fields: event ? { event: 'alarm' } : { battery_pct: 50 + (seq % 50) } });
  }
  sent += batch.length;
  rt.readings(batch);
}, 20);
const tickets = setInterval(() => rt.ticket(ticket(ticketNo++ % 400, Date.now()), { atMs: Date.now(), type: 'ticket', gridId: 'g1', priority: 'P1', deviceId: null, ticketId: null, what: 'dispatch', note: null }), 200);

const t0 = Date.now();
const cpu0 = process.cpuUsage();
await page.waitForTimeout(DURATION_MS / 2);
const planAt = await page.evaluate(() => performance.now());
await page.getByRole('tab', { name: '小区平面图' }).click(); // half the time on the estate plan
await page.waitForTimeout(DURATION_MS / 2);
clearInterval(stream);
clearInterval(tickets);
const elapsed = (Date.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
const longAt = await page.evaluate(() => (window as unknown as { __longAt: number[] }).__longAt);
const longest = long.indexOf(Math.max(...long));
const stats = rt.stats();
const lag = await page.evaluate(() => new Promise<number>((r) => { const s = performance.now(); setTimeout(() => r(performance.now() - s), 0); }));

const over = (ms: number) => long.filter((d) => d > ms).length;
const report = {
  devices: DEVICES,
  eventsPerSecOffered: EVENTS_PER_SEC,
  eventsSent: sent,
  seconds: Math.round(elapsed * 10) / 10,
  deltasSent: stats.deltasSent,
  longTasks: long.length,
  longTasksOver100ms: over(100),
  longTasksOver200ms: over(200),
  longestTaskMs: Math.round(Math.max(0, ...long)),
  // when it began, from the switch to the estate plan tab (negative: before it, while on the alarm list)
  longestTaskAfterPlanTabMs: longest >= 0 ? Math.round(longAt[longest]! - planAt) : null,
  totalLongTaskMs: Math.round(long.reduce((a, b) => a + b, 0)),
  serverCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (elapsed * 1000)) * 1000) / 10,
  timerLagAtEndMs: Math.round(lag),
};
process.stdout.write(`\nbench:dashboard — desk in headless Chromium, ${DEVICES.toLocaleString()} devices, ${EVENTS_PER_SEC} events/s for ${report.seconds} s\n`);
for (const [k, v] of Object.entries(report)) process.stdout.write(`  ${k.padEnd(22)} ${v}\n`);
process.stdout.write(`  verdict                ${report.longTasksOver200ms === 0 ? 'OK: no long task over 200 ms' : 'FAIL: long tasks over 200 ms'}\n`);
await browser.close();
await rt.close();
http.close();
process.exit(report.longTasksOver200ms === 0 ? 0 : 1);
