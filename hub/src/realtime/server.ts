import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  REALTIME_FLUSH_MS,
  REALTIME_PATH,
  REALTIME_RESUME_MAX_EVENTS,
  toHubError,
  type ClientToServerEvents,
  type DeviceLive,
  type FeedItem,
  type LiveTicket,
  type Reading,
  type RealtimeNotice,
  type RealtimeResume,
  type RealtimeUser,
  type ServerToClientEvents,
} from '@gridhub/core';
import { RoomBuffer } from './coalescer.ts';
import { LiveModel } from './model.ts';
import { ALL_ROOM, deviceRooms, gridRoom, deptRoom, scopeRooms, ticketRooms, userRoom } from './rooms.ts';

/** A reconnecting client's position (RealtimeResume in the handshake's auth), or null. */
function resumeOf(auth: unknown): RealtimeResume | null {
  const a = auth as Partial<Record<keyof RealtimeResume, unknown>> | undefined;
  const id = a?.lastEventId;
  const at = a?.lastAtMs;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? { lastEventId: id, lastAtMs: typeof at === 'number' && Number.isFinite(at) ? at : 0 } : null;
}

/** What the handshake carries: the session cookie header, or a Bearer token in `auth.token`. */
export interface RealtimeCredentials {
  cookie: string | undefined;
  token: string | undefined;
}

/** The session behind a socket: when it ends (logout, expiry, password change, disabling) the socket is closed. */
export interface RealtimeSession {
  user: RealtimeUser;
  sessionId: string;
  expiresMs: number;
}

export interface RealtimeOptions {
  /** The hub's HTTP server: Socket.IO shares its port at REALTIME_PATH. */
  server: HttpServer;
  /** The session behind a handshake, or null (the connection is refused). */
  authenticate(credentials: RealtimeCredentials): Promise<RealtimeSession | null>;
  /** Whether a handshake's headers may connect at all (the Origin check); default: all. */
  allowRequest?(headers: IncomingHttpHeaders): boolean;
  /** Of these session ids, those still live: every `revalidateMs` each socket's session is checked again. */
  liveSessions?(ids: readonly string[]): Promise<Set<string>>;
  revalidateMs?: number;
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
  /**
   * What a client that reconnects with `RealtimeResume` missed: the tickets, devices and ticker
   * lines of the events after `fromEventId` up to `toEventId` (read from the event log), or null
   * when the log no longer has them all (a snapshot is sent instead). Without it, always a snapshot.
   */
  missedEvents?: (fromEventId: number, toEventId: number) => Promise<{ ticketIds: string[]; deviceIds: string[]; feed: FeedItem[] } | null>;
}

export interface RealtimeStats {
  sockets: number;
  deltasSent: number;
  snapshotsSent: number;
  /** Reconnects caught up with one delta from the event log instead of a snapshot. */
  resumesSent: number;
  /** The event log id every event up to has been applied. */
  eventId: number;
  devices: number;
  tickets: number;
}

export interface Realtime {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  start(): Promise<void>;
  /** Readings as accepted: durable in the spool (from `ingest.onDurable`), before the sink has them. */
  readings(batch: readonly Reading[]): void;
  /** A ticket changed (a RulesEvent), with the feed line that tells it. */
  ticket(ticket: LiveTicket, feed: (Omit<FeedItem, 'id'> & { id?: string }) | null, notice?: RealtimeNotice['what']): void;
  /** A feed line without a ticket (an alert, an incident); a logged event's keeps its id. */
  feed(item: Omit<FeedItem, 'id'> & { id?: string }): void;
  /** Every event up to this event log id has been applied (deltas and snapshots carry it). */
  advance(eventId: number): void;
  /** Sends what is pending now (tests, shutdown). */
  flush(): void;
  /** The grid a known device is in (for events that name only the device). */
  gridOf(deviceId: string): string | undefined;
  /** Closes at once every socket of these sessions, or of this user (their sessions ended). */
  endSessions(which: { sessionIds: readonly string[] } | { userId: string }): void;
  stats(): RealtimeStats;
  close(): Promise<void>;
}

interface SocketData {
  user: RealtimeUser;
  sessionId: string;
  expiresMs: number;
}

const sessionRoom = (id: string) => `session:${id}`;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
  let resumesSent = 0;
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(opts.server, {
    path: REALTIME_PATH,
    serveClient: false,
    // Small deltas: compressing them costs more CPU than it saves.
    perMessageDeflate: false,
    allowRequest: (req, cb) => (opts.allowRequest?.(req.headers) ?? true ? cb(null, true) : cb('HUB_ERR_ORIGIN', false)),
  });

  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    const bearer = /^Bearer (.+)$/.exec(socket.handshake.headers.authorization ?? '')?.[1];
    const token = typeof auth.token === 'string' ? auth.token : bearer;
    opts.authenticate({ cookie: socket.handshake.headers.cookie, token }).then(
      (session) => {
        if (!session || session.expiresMs <= now()) return next(new Error('HUB_ERR_UNAUTHENTICATED'));
        socket.data.user = session.user;
        socket.data.sessionId = session.sessionId;
        socket.data.expiresMs = session.expiresMs;
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
    void socket.join([...scopeRooms(user), userRoom(user.id), sessionRoom(socket.data.sessionId)]);
    // The session's end is the socket's end, to the millisecond.
    const expiry = setTimeout(() => socket.disconnect(true), Math.min(MAX_TIMER_MS, Math.max(0, socket.data.expiresMs - now())));
    expiry.unref();
    socket.on('disconnect', () => clearTimeout(expiry));
    const snapshot = () => {
      socket.emit('snapshot', model.snapshot(user, now()));
      snapshotsSent++;
    };
    const resume = resumeOf(socket.handshake.auth);
    const to = model.eventId;
    if (!resume || !opts.missedEvents || resume.lastEventId > to || to - resume.lastEventId > REALTIME_RESUME_MAX_EVENTS) snapshot();
    else {
      opts.missedEvents(resume.lastEventId, to).then(
        (missed) => {
          if (!missed) return snapshot();
          // A second of margin: readings buffered for the last delta the client saw count as missed.
          socket.emit('delta', model.catchUp(user, missed, resume.lastAtMs - 1000, now()));
          resumesSent++;
        },
        (err) => {
          onError(err, 'reading the events a socket missed');
          snapshot();
        },
      );
    }
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
      const delta = b.take(at, model.eventId);
      if (!delta) continue;
      io.to(room).emit('delta', delta);
      deltasSent++;
    }
  };
  let soon = false;
  const flushSoon = () => {
    if (soon) return;
    soon = true;
    setImmediate(() => {
      soon = false;
      flush();
    });
  };
  let flushTimer: NodeJS.Timeout | null = null;
  let livenessTimer: NodeJS.Timeout | null = null;
  let revalidateTimer: NodeJS.Timeout | null = null;
  const endSessions = (which: { sessionIds: readonly string[] } | { userId: string }) => {
    const rooms = 'userId' in which ? [userRoom(which.userId)] : which.sessionIds.map(sessionRoom);
    if (rooms.length) io.in(rooms).disconnectSockets(true);
  };
  /** Every socket's session checked again (a session ended where this process did not see it: another hub, the database). */
  const revalidate = async () => {
    if (!opts.liveSessions) return;
    const ids = [...new Set([...io.sockets.sockets.values()].map((s) => s.data.sessionId))];
    if (!ids.length) return;
    const live = await opts.liveSessions(ids);
    endSessions({ sessionIds: ids.filter((id) => !live.has(id)) });
  };

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
      revalidateTimer = setInterval(() => revalidate().catch((err) => onError(err, 'revalidating sessions')), opts.revalidateMs ?? 30_000);
      flushTimer.unref();
      livenessTimer.unref();
      revalidateTimer.unref();
    },
    readings(batch) {
      const { devices, feed } = model.applyReadings(batch, now());
      pushDevices(devices);
      for (const f of feed) pushFeed(f, [ALL_ROOM, gridRoom(f.gridId)]);
    },
    ticket(input, feed, notice) {
      // A P1 (a fire alarm) does not wait for the next coalescing window: it goes out this turn.
      if (input.priority === 'P1') flushSoon();
      const change = model.applyTicket(input);
      const ticket = change.ticket;
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
    advance(eventId) {
      if (eventId > model.eventId) model.eventId = eventId;
    },
    flush,
    gridOf: (deviceId) => model.devices.get(deviceId)?.gridId,
    endSessions,
    stats: () => ({ sockets: io.sockets.sockets.size, deltasSent, snapshotsSent, resumesSent, eventId: model.eventId, devices: model.devices.size, tickets: model.tickets.size }),
    async close() {
      if (flushTimer) clearInterval(flushTimer);
      if (livenessTimer) clearInterval(livenessTimer);
      if (revalidateTimer) clearInterval(revalidateTimer);
      io.disconnectSockets(true);
      // io.close() would also close the shared HTTP server; the hub closes that itself.
      io.engine.close();
    },
  };
}
