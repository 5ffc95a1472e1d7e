import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  REALTIME_FLUSH_MS,
  REALTIME_PATH,
  toHubError,
  type ClientToServerEvents,
  type DeviceLive,
  type FeedItem,
  type LiveTicket,
  type Reading,
  type RealtimeNotice,
  type RealtimeUser,
  type ServerToClientEvents,
} from '@gridhub/core';
import { RoomBuffer } from './coalescer.ts';
import { LiveModel } from './model.ts';
import { ALL_ROOM, deviceRooms, gridRoom, deptRoom, scopeRooms, ticketRooms, userRoom } from './rooms.ts';

/** What the handshake carries: the session cookie header, or a Bearer token in `auth.token`. */
export interface RealtimeCredentials {
  cookie: string | undefined;
  token: string | undefined;
}

export interface RealtimeOptions {
  /** The hub's HTTP server: Socket.IO shares its port at REALTIME_PATH. */
  server: HttpServer;
  /** The session behind a handshake, or null (the connection is refused). */
  authenticate(credentials: RealtimeCredentials): Promise<RealtimeUser | null>;
  /** Every device with its stored state, at start. */
  loadDevices(): Promise<(DeviceLive & { connected?: boolean | null })[]>;
  /** Open tickets (and recently closed ones), at start. */
  loadTickets(): Promise<LiveTicket[]>;
  flushIntervalMs?: number;
  livenessIntervalMs?: number;
  /** Feed items kept for snapshots; at most this many per room per flush too. */
  feedSize?: number;
  now?: () => number;
  onError?: (err: unknown, what: string) => void;
}

export interface RealtimeStats {
  sockets: number;
  deltasSent: number;
  snapshotsSent: number;
  devices: number;
  tickets: number;
}

export interface Realtime {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  start(): Promise<void>;
  /** Readings as accepted: durable in the spool (from `ingest.onDurable`), before the sink has them. */
  readings(batch: readonly Reading[]): void;
  /** A ticket changed (a RulesEvent), with the feed line that tells it. */
  ticket(ticket: LiveTicket, feed: Omit<FeedItem, 'id'> | null, notice?: RealtimeNotice['what']): void;
  /** A feed line without a ticket (an alert, an incident). */
  feed(item: Omit<FeedItem, 'id'>): void;
  /** Sends what is pending now (tests, shutdown). */
  flush(): void;
  /** The grid a known device is in (for events that name only the device). */
  gridOf(deviceId: string): string | undefined;
  stats(): RealtimeStats;
  close(): Promise<void>;
}

interface SocketData {
  user: RealtimeUser;
}

/**
 * The Socket.IO server: authenticates each handshake with the session, joins the socket to the
 * rooms its role may see, sends a snapshot, then coalesced deltas every `flushIntervalMs`.
 */
export function createRealtime(opts: RealtimeOptions): Realtime {
  const now = opts.now ?? Date.now;
  const feedSize = opts.feedSize ?? 50;
  const model = new LiveModel(Math.max(feedSize, 200));
  const buffers = new Map<string, RoomBuffer>();
  const onError = opts.onError ?? (() => {});
  let deltasSent = 0;
  let snapshotsSent = 0;
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(opts.server, {
    path: REALTIME_PATH,
    serveClient: false,
    // Small deltas: compressing them costs more CPU than it saves.
    perMessageDeflate: false,
  });

  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    const bearer = /^Bearer (.+)$/.exec(socket.handshake.headers.authorization ?? '')?.[1];
    const token = typeof auth.token === 'string' ? auth.token : bearer;
    opts.authenticate({ cookie: socket.handshake.headers.cookie, token }).then(
      (user) => {
        if (!user) return next(new Error('HUB_ERR_UNAUTHENTICATED'));
        socket.data.user = user;
        next();
      },
      (err) => {
        onError(err, 'authenticating a socket');
        next(new Error(toHubError(err).code));
      },
    );
  });

  io.on('connection', (socket: Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>) => {
    const user = socket.data.user;
    void socket.join([...scopeRooms(user), userRoom(user.id)]);
    socket.emit('snapshot', model.snapshot(user, now()));
    snapshotsSent++;
    socket.on('resync', (ack) => {
      if (typeof ack !== 'function') return;
      snapshotsSent++;
      ack(model.snapshot(user, now()));
    });
  });

  /** Buffers a change for each room that has someone in it. */
  const toRooms = (rooms: readonly string[], put: (b: RoomBuffer) => void) => {
    const live = io.sockets.adapter.rooms;
    for (const room of rooms) {
      if (!live.has(room)) continue;
      let b = buffers.get(room);
      if (!b) buffers.set(room, (b = new RoomBuffer(feedSize)));
      put(b);
    }
  };
  const pushDevices = (devices: readonly DeviceLive[]) => {
    for (const d of devices) toRooms(deviceRooms(d), (b) => b.device(d));
  };
  const pushFeed = (item: FeedItem, rooms: readonly string[]) => toRooms(rooms, (b) => b.feed(item));

  const flush = () => {
    const at = now();
    for (const [room, b] of buffers) {
      const delta = b.take(at);
      if (!delta) continue;
      io.to(room).emit('delta', delta);
      deltasSent++;
    }
  };
  let flushTimer: NodeJS.Timeout | null = null;
  let livenessTimer: NodeJS.Timeout | null = null;

  return {
    io,
    async start() {
      model.loadDevices(await opts.loadDevices());
      for (const t of await opts.loadTickets()) model.applyTicket(t);
      flushTimer = setInterval(flush, opts.flushIntervalMs ?? REALTIME_FLUSH_MS);
      livenessTimer = setInterval(() => {
        try {
          pushDevices(model.refreshLiveness(now()));
          model.prune(now());
        } catch (err) {
          onError(err, 'refreshing liveness');
        }
      }, opts.livenessIntervalMs ?? 30_000);
      flushTimer.unref();
      livenessTimer.unref();
    },
    readings(batch) {
      const { devices, feed } = model.applyReadings(batch, now());
      pushDevices(devices);
      for (const f of feed) pushFeed(f, [ALL_ROOM, gridRoom(f.gridId)]);
    },
    ticket(ticket, feed, notice) {
      const change = model.applyTicket(ticket);
      const rooms = ticketRooms(ticket);
      toRooms(rooms, (b) => b.ticket(ticket));
      const before = change.before;
      if (before && before.gridId !== ticket.gridId) toRooms([gridRoom(before.gridId)], (b) => b.ticketGone(ticket.id));
      if (before?.department && before.department !== ticket.department) toRooms([deptRoom(before.department)], (b) => b.ticketGone(ticket.id));
      pushDevices(change.devices);
      if (feed) pushFeed(model.addFeed(feed), rooms);
      if (notice && ticket.assigneeId) io.to(userRoom(ticket.assigneeId)).emit('notice', { ticket, what: notice });
    },
    feed(item) {
      pushFeed(model.addFeed(item), [ALL_ROOM, gridRoom(item.gridId)]);
    },
    flush,
    gridOf: (deviceId) => model.devices.get(deviceId)?.gridId,
    stats: () => ({ sockets: io.sockets.sockets.size, deltasSent, snapshotsSent, devices: model.devices.size, tickets: model.tickets.size }),
    async close() {
      if (flushTimer) clearInterval(flushTimer);
      if (livenessTimer) clearInterval(livenessTimer);
      io.disconnectSockets(true);
      // io.close() would also close the shared HTTP server; the hub closes that itself.
      io.engine.close();
    },
  };
}
