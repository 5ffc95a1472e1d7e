import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import {
  REALTIME_PATH,
  type ClientToServerEvents,
  type DeviceLive,
  type LiveTicket,
  type Reading,
  type RealtimeDelta,
  type RealtimeSnapshot,
  type RealtimeUser,
  type ServerToClientEvents,
} from '@gridhub/core';
import { waitFor } from '@gridhub/testkit';
import { createRealtime, type Realtime } from '../src/realtime/index.ts';

/** Sessions the fake authenticator knows: token -> user. */
const USERS: Record<string, RealtimeUser> = {
  op: { id: 'op1', name: 'Operator', role: 'operator', gridIds: null, department: null },
  wardenA: { id: 'wA', name: 'Warden A', role: 'warden', gridIds: ['gA'], department: null },
  wardenB: { id: 'wB', name: 'Warden B', role: 'warden', gridIds: ['gB'], department: null },
  fire: { id: 'd1', name: 'Fire brigade', role: 'department', gridIds: null, department: 'fire_brigade' },
};

const device = (id: string, gridId: string): DeviceLive => ({
  id,
  kind: 'smoke',
  gridId,
  estateId: `e-${gridId}`,
  liveness: 'unknown',
  alarm: false,
  batteryPct: null,
  lastSeenMs: null,
  lastEvent: null,
});

function ticket(id: string, gridId: string, patch: Partial<LiveTicket> = {}): LiveTicket {
  return {
    id,
    ruleId: 'smoke-alarm',
    subjectKey: `d-${gridId}`,
    deviceId: `d-${gridId}`,
    deviceKind: 'smoke',
    priority: 'P1',
    title: 'smoke alarm',
    place: { street: 's', community: 'c', grid: gridId, estate: `e-${gridId}`, building: null, unit: null },
    status: 'new',
    gridId,
    assigneeId: null,
    department: null,
    incidentId: null,
    acknowledgedMs: null,
    acknowledgedBy: null,
    occurrences: 1,
    firstSeenMs: 1,
    lastSeenMs: 1,
    createdMs: 1,
    dispatchedMs: null,
    acceptedMs: null,
    onSiteMs: null,
    resolvedMs: null,
    closedMs: null,
    conditionClearedMs: null,
    escalation: 0,
    overdue: [],
    firedTimers: [],
    returnCount: 0,
    reopenCount: 0,
    version: 1,
    deadlines: {},
    ...patch,
  };
}

function reading(deviceId: string, gridId: string, i: number, fields: Reading['fields'] = { obscuration_pct: i % 100 }): Reading {
  return {
    deviceId,
    kind: 'smoke',
    message: fields.event ? 'event' : 'telemetry',
    tsMs: 1_700_000_000_000 + i,
    seq: i,
    rxMs: Date.now(),
    place: { street: 's', community: 'c', grid: gridId, estate: `e-${gridId}`, building: null, unit: null },
    fields,
  };
}

type Client = Socket<ServerToClientEvents, ClientToServerEvents> & { snapshots: RealtimeSnapshot[]; deltas: RealtimeDelta[] };

describe('realtime: Socket.IO with rooms by grid, snapshot then coalesced deltas', () => {
  let http: HttpServer;
  let rt: Realtime;
  let url: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    http = createServer();
    rt = createRealtime({
      server: http,
      authenticate: async ({ token }) => (token && USERS[token] ? { user: USERS[token], sessionId: token, expiresMs: Number.MAX_SAFE_INTEGER } : null),
      loadDevices: async () => [device('d-gA', 'gA'), device('d-gB', 'gB'), device('d-A2', 'gA')],
      loadTickets: async () => [ticket('tA0', 'gA'), ticket('tB0', 'gB')],
      flushIntervalMs: 50,
    });
    await rt.start();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });

  afterAll(async () => {
    await rt.close();
    await new Promise((resolve) => http.close(resolve));
  });

  async function connect(token: string | undefined): Promise<Client> {
    const socket = ioClient(url, { path: REALTIME_PATH, auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true }) as Client;
    socket.snapshots = [];
    socket.deltas = [];
    socket.on('snapshot', (s) => socket.snapshots.push(s));
    socket.on('delta', (d) => socket.deltas.push(d));
    clients.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    await waitFor(() => socket.snapshots.length > 0, 5000, 'snapshot');
    return socket;
  }

  it('refuses a socket without a session', async () => {
    await expect(connect(undefined)).rejects.toThrow('HUB_ERR_UNAUTHENTICATED');
    await expect(connect('nobody')).rejects.toThrow('HUB_ERR_UNAUTHENTICATED');
  });

  it("cuts each snapshot to the user's scope", async () => {
    const [op, a, fire] = await Promise.all([connect('op'), connect('wardenA'), connect('fire')]);
    expect(op.snapshots[0]!.devices.map((d) => d.id).sort()).toEqual(['d-A2', 'd-gA', 'd-gB']);
    expect(op.snapshots[0]!.tickets.map((t) => t.id).sort()).toEqual(['tA0', 'tB0']);
    expect(a.snapshots[0]!.devices.map((d) => d.id)).toEqual(['d-gA', 'd-A2']);
    expect(a.snapshots[0]!.tickets.map((t) => t.id)).toEqual(['tA0']);
    expect(fire.snapshots[0]!.devices).toEqual([]);
    expect(fire.snapshots[0]!.tickets).toEqual([]);
  });

  it("a warden's socket never receives another grid's events", async () => {
    const [op, a, b] = await Promise.all([connect('op'), connect('wardenA'), connect('wardenB')]);
    const noticesA: string[] = [];
    a.on('notice', (n) => noticesA.push(n.ticket.id));
    // Interleave both grids: readings, device events, tickets, a dispatch notice, a transfer.
    for (let i = 0; i < 20; i++) {
      rt.readings([reading('d-gA', 'gA', i), reading('d-gB', 'gB', i), reading('d-gB', 'gB', 1000 + i, { event: 'alarm' })]);
      rt.ticket(ticket(`tB${i}`, 'gB', { status: 'dispatched', assigneeId: 'wB' }), { atMs: i, type: 'ticket', gridId: 'gB', priority: 'P1', deviceId: 'd-gB', ticketId: `tB${i}`, what: 'dispatch', note: 'grid B only' }, 'dispatched');
      if (i % 5 === 0) rt.ticket(ticket(`tA${i}`, 'gA'), null);
    }
    rt.feed({ atMs: 1, type: 'incident', gridId: 'gB', priority: 'P1', deviceId: null, ticketId: null, what: 'incident', note: null });
    rt.flush();
    await waitFor(() => op.deltas.some((d) => d.tickets.some((t) => t.id === 'tB19')) && a.deltas.length > 0 && b.deltas.length > 0, 5000, 'deltas');
    // B's socket saw its grid ...
    expect(b.deltas.flatMap((d) => d.tickets).map((t) => t.id)).toContain('tB19');
    // ... and A's socket saw nothing of grid B, in any part of any message.
    const seenByA = JSON.stringify({ snapshots: a.snapshots, deltas: a.deltas, noticesA });
    expect(seenByA).not.toContain('gB');
    expect(seenByA).not.toContain('grid B only');
    expect(a.deltas.flatMap((d) => d.devices).every((d) => d.gridId === 'gA')).toBe(true);
    expect(a.deltas.flatMap((d) => d.tickets).map((t) => t.id).sort()).toEqual(['tA0', 'tA10', 'tA15', 'tA5']);
    expect(noticesA).toEqual([]);
  });

  it('a ticket transferred away leaves the old grid as ticketsGone; escalated ones reach the department', async () => {
    const [a, fire] = await Promise.all([connect('wardenA'), connect('fire')]);
    rt.ticket(ticket('tX', 'gA', { status: 'dispatched' }), null);
    rt.flush();
    rt.ticket(ticket('tX', 'gA', { status: 'with_department', department: 'fire_brigade' }), null);
    rt.flush();
    rt.ticket(ticket('tX', 'gB', { status: 'dispatched', department: null }), null);
    rt.flush();
    await waitFor(() => a.deltas.some((d) => d.ticketsGone.includes('tX')) && fire.deltas.some((d) => d.ticketsGone.includes('tX')), 5000, 'gone');
    expect(fire.deltas.flatMap((d) => d.tickets).map((t) => t.status)).toEqual(['with_department']);
    expect(JSON.stringify(a.deltas)).not.toContain('"gridId":"gB"');
  });

  it('coalesces a burst: 1,000 readings of one device arrive as a handful of deltas with one entry each', async () => {
    const op = await connect('op');
    const before = op.deltas.length;
    for (let i = 0; i < 1000; i++) rt.readings([reading('d-gA', 'gA', i, { obscuration_pct: 1, battery_pct: i % 100 })]);
    rt.flush();
    await waitFor(() => op.deltas.slice(before).some((d) => d.devices.some((x) => x.batteryPct === 999 % 100)), 5000, 'burst delta');
    const burst = op.deltas.slice(before);
    expect(burst.length).toBeLessThanOrEqual(3);
    for (const d of burst) expect(d.devices.filter((x) => x.id === 'd-gA').length).toBeLessThanOrEqual(1);
  });

  it('marks the device in alarm while its ticket is open, and a reconnect takes a fresh snapshot', async () => {
    const a = await connect('wardenA');
    expect(a.snapshots[0]!.devices.find((d) => d.id === 'd-A2')!.alarm).toBe(false);
    rt.ticket(ticket('tAlarm', 'gA', { deviceId: 'd-A2', status: 'dispatched' }), null);
    rt.flush();
    await waitFor(() => a.deltas.some((d) => d.devices.some((x) => x.id === 'd-A2' && x.alarm)), 5000, 'alarm delta');
    a.disconnect();
    rt.ticket(ticket('tAlarm', 'gA', { deviceId: 'd-A2', status: 'closed', closedMs: Date.now() }), null);
    const again = await connect('wardenA');
    const snap = again.snapshots[0]!;
    expect(snap.devices.find((d) => d.id === 'd-A2')!.alarm).toBe(false);
    expect(snap.devices.find((d) => d.id === 'd-gA')!.alarm).toBe(true);
    expect(snap.tickets.find((t) => t.id === 'tAlarm')!.status).toBe('closed');
    const resynced = await again.emitWithAck('resync');
    expect('devices' in resynced && resynced.devices.map((d) => d.id)).toEqual(['d-gA', 'd-A2']);
  });
});
