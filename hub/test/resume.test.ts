import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { MqttClient } from 'mqtt';
import { REALTIME_PATH, uplinkTopic, type ClientToServerEvents, type RealtimeDelta, type RealtimeSnapshot, type ServerToClientEvents } from '@gridhub/core';
import { demoDeviceSecret } from '@gridhub/store';
import { freePort, tempDir, waitFor } from '@gridhub/testkit';
import { startProductionHub } from '../bench/proc.ts';
import { api, connect, httpLogin, login, TEST_ADMIN_PASSWORD, testHub } from './support.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A screen as the dashboard's LiveStore keeps it: its position in the event log, snapshots and deltas. */
class Screen {
  lastEventId: number | null = null;
  lastAtMs = 0;
  snapshots: RealtimeSnapshot[] = [];
  deltas: RealtimeDelta[] = [];
  socket: Client | null = null;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  async open(): Promise<void> {
    const resume = this.lastEventId === null ? {} : { lastEventId: this.lastEventId, lastAtMs: this.lastAtMs };
    const s = ioClient(this.url, { path: REALTIME_PATH, auth: { token: this.token, ...resume }, transports: ['websocket'], reconnection: false, forceNew: true }) as Client;
    this.socket = s;
    s.on('snapshot', (x) => {
      this.snapshots.push(x);
      this.lastEventId = x.eventId;
      this.lastAtMs = x.atMs;
    });
    s.on('delta', (d) => {
      this.deltas.push(d);
      this.lastEventId = Math.max(this.lastEventId ?? 0, d.eventId);
      this.lastAtMs = d.atMs;
    });
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('connect_error', reject);
    });
  }

  close(): void {
    this.socket?.disconnect();
    this.socket = null;
  }
}

async function alarm(mqttUrl: string, deviceId: string, seq: number): Promise<void> {
  const c: MqttClient = await connect(mqttUrl, { clientId: deviceId, username: deviceId, password: demoDeviceSecret(deviceId) });
  await c.publishAsync(uplinkTopic('smoke', deviceId, 'event'), JSON.stringify({ ts: Date.now(), seq, event: 'alarm' }), { qos: 1 });
  await c.endAsync();
}

describe('a screen resumes from its last event id (event log by cursor)', () => {
  let hub: Awaited<ReturnType<typeof testHub>> | null = null;
  afterAll(async () => {
    await hub?.dispose();
  });

  it('disconnected for 10 s, it catches up with one delta holding every ticket and ticker line it missed; too far behind, a snapshot', { timeout: 90_000 }, async () => {
    hub = await testHub();
    const token = await login(hub, 'admin', TEST_ADMIN_PASSWORD);
    const screen = new Screen(hub.httpUrl, token);
    await screen.open();
    await waitFor(() => screen.snapshots.length === 1, 10_000, 'first snapshot');
    const from = screen.lastEventId!;
    screen.close();

    // Ten seconds away: five alarms (tickets, dispatches, a fire incident), and a person accepting one.
    const smoke = (await api(hub, 'GET', '/api/devices?kind=smoke&limit=1000')).body.items as { id: string }[];
    const devices = smoke.slice(30, 35).map((d) => d.id);
    const t0 = Date.now();
    for (const [i, d] of devices.entries()) await alarm(hub.mqttUrl, d, 100 + i);
    await waitFor(async () => (await api(hub!, 'GET', '/api/tickets?open=true&limit=1000')).body.items.filter((t: any) => devices.includes(t.deviceId)).length === 5, 15_000, 'five tickets');
    const first = (await api(hub, 'GET', `/api/tickets?device=${devices[0]}`)).body.items[0];
    expect((await api(hub, 'POST', `/api/tickets/${first.id}/accept`, { body: {} })).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - t0))));

    const missed = await hub.eventLog.readAfter(from, 10_000);
    expect(missed.length).toBeGreaterThan(10);
    await screen.open();
    await waitFor(() => screen.deltas.some((d) => d.resumed), 10_000, 'the catch-up delta');
    expect(screen.snapshots).toHaveLength(1); // no second snapshot: a catch-up
    const catchUp = screen.deltas.find((d) => d.resumed)!;
    expect(catchUp.eventId).toBe(missed.at(-1)!.id);
    // Every ticket it missed, as it is now (the accepted one accepted) ...
    const now = (await api(hub, 'GET', '/api/tickets?limit=1000')).body.items.filter((t: any) => devices.includes(t.deviceId));
    expect(catchUp.tickets.map((t) => [t.id, t.status, t.version]).sort()).toEqual(now.map((t: any) => [t.id, t.status, t.version]).sort());
    // ... and one ticker line per event that makes one, with the event's id.
    const lines = missed.filter((e) => e.event.type === 'ticket' || e.event.type === 'occurrence' || (e.event.type === 'incident' && !e.event.joined) || (e.event.type === 'alert' && ['firing', 'resolved'].includes(e.event.transition.to)));
    expect(catchUp.feed.map((f) => f.id)).toEqual(lines.map((e) => `e${e.id}`));
    expect(catchUp.feed.filter((f) => f.what === 'accept')).toHaveLength(1);
    screen.close();

    // Past the log's retention: a snapshot, never a partial catch-up.
    await alarm(hub.mqttUrl, smoke[36]!.id, 200);
    await waitFor(async () => (await hub!.eventLog.lastId()) > catchUp.eventId + 2, 10_000, 'more events');
    await hub.store.eventLog.prune(Date.now() + 1);
    const snapshotsBefore = screen.snapshots.length;
    await screen.open();
    await waitFor(() => screen.snapshots.length > snapshotsBefore, 10_000, 'a snapshot when too far behind');
    expect(screen.snapshots.at(-1)!.tickets.some((t) => t.deviceId === smoke[36]!.id)).toBe(true);
    screen.close();
  });
});

describe('a crash between a ticket\'s commit and its delivery to the screens', () => {
  const root = join(import.meta.dirname, '..', '..');
  const dataDir = tempDir('resume-crash');
  let child: ChildProcess | null = null;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no event: after kill -9 and a restart the screen gets the ticket and its lines from the log', { timeout: 180_000 }, async () => {
    const httpPort = await freePort();
    const mqttPort = await freePort();
    const env = { HUB_DATA_DIR: dataDir, HUB_HTTP_PORT: String(httpPort), HUB_HTTP_HOST: '127.0.0.1', HUB_MQTT_PORT: String(mqttPort), HUB_MQTT_HOST: '127.0.0.1', HUB_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD };
    const base = `http://127.0.0.1:${httpPort}`;
    child = (await startProductionHub(root, env, { httpPort })).child;
    const auth = await httpLogin(base);
    const token = auth.authorization.replace(/^Bearer /, '');
    const screen = new Screen(base, token);
    await screen.open();
    await waitFor(() => screen.snapshots.length === 1, 10_000, 'first snapshot');
    // The screen is away when the ticket commits, so the hub cannot have delivered it before the kill.
    screen.close();
    const smoke = ((await (await fetch(`${base}/api/devices?kind=smoke&limit=100`, { headers: auth })).json()) as { items: { id: string }[] }).items;
    const d = smoke[40]!.id;
    await alarm(`mqtt://127.0.0.1:${mqttPort}`, d, 1);
    await waitFor(async () => ((await (await fetch(`${base}/api/tickets?device=${d}`, { headers: auth })).json()) as { items: unknown[] }).items.length === 1, 15_000, 'ticket committed');
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    child = (await startProductionHub(root, env, { httpPort })).child;
    await screen.open();
    await waitFor(() => screen.deltas.some((x) => x.resumed), 15_000, 'the catch-up after the crash');
    const catchUp = screen.deltas.find((x) => x.resumed)!;
    expect(catchUp.tickets.map((t) => t.deviceId)).toEqual([d]);
    expect(catchUp.feed.filter((f) => f.deviceId === d).map((f) => f.what)).toEqual(['firing', 'new', 'dispatch']);
    screen.close();
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
    child = null;
  });
});
