import type { DeviceKind } from './kinds.ts';
import type { Liveness } from './site.ts';
import type { Department, Phase, Priority, Ticket } from './tickets.ts';
import type { UserRole } from './users.ts';

/**
 * The live channel between the hub and the screens (Socket.IO), typed once here and used on
 * both ends: `new Server<ClientToServerEvents, ServerToClientEvents>()` in the hub and
 * `io<ServerToClientEvents, ClientToServerEvents>()` in the dashboard.
 *
 * Protocol: snapshot, then deltas (Uptime Kuma's habit).
 *   - On connect the server checks the session, joins the socket to the rooms its role may see
 *     (everything for operators and admins, its grids for grid leaders and wardens, its
 *     department for a department, and always `user:<id>`), then sends one `snapshot`.
 *   - Afterwards it sends `delta`s: changes coalesced per room and flushed every ~250 ms, so a
 *     burst of 1,000 events/s reaches a browser as four small messages per second.
 *   - Every snapshot and delta carries `eventId`, the id in the hub's event log (core/src/events.ts)
 *     up to which it reflects every event. A client that reconnects hands back its last `eventId`
 *     and `atMs` in the handshake (`RealtimeResume`): the hub then sends one `delta` with
 *     `resumed: true` holding everything it missed (read from the event log by cursor, so nothing
 *     is lost, not even by a hub crash between a commit and its delivery), or a fresh snapshot
 *     when it is too far behind (more than REALTIME_RESUME_MAX_EVENTS, or past the log's
 *     retention). It may also ask for a snapshot with `resync`.
 */

/** What a reconnecting client puts in the Socket.IO handshake's `auth`, beside its token. */
export interface RealtimeResume {
  /** The `eventId` of the last snapshot or delta it applied. */
  lastEventId: number;
  /** The `atMs` of that message (device states changed since are sent again). */
  lastAtMs: number;
}

/** A client further behind than this many events gets a snapshot instead of a catch-up delta. */
export const REALTIME_RESUME_MAX_EVENTS = 10_000;

/** Who is on the other end of a socket: what the session says, reduced to what scopes rooms. */
export interface RealtimeUser {
  id: string;
  name: string;
  role: UserRole;
  /** Grids this user may see; null = every grid (operator, admin). */
  gridIds: string[] | null;
  /** For a department user: the department whose escalated tickets they see. */
  department: Department | null;
}

/** A device as the site plan draws it: compact, sent for every device in the snapshot. */
export interface DeviceLive {
  id: string;
  kind: DeviceKind;
  gridId: string;
  estateId: string;
  /** Building and floor (smoke alarms in stairwells): an incident names its floors. */
  buildingId?: string | null;
  floor?: number | null;
  liveness: Liveness;
  /** An alarm is firing on this device (an open ticket not yet resolved, or its last event). */
  alarm: boolean;
  batteryPct: number | null;
  lastSeenMs: number | null;
  lastEvent: string | null;
}

/**
 * Tickets travel whole (the board, the detail header and the phone list need most fields), with
 * the SLA deadlines of their open phases worked out by the hub from its SLA configuration, so a
 * screen counts down without knowing the SLA. `floor` is the device's floor (set by the hub's
 * live model), so a screen that sees no devices (a department: the fire brigade) still shows the
 * floors of an incident.
 */
export type LiveTicket = Ticket & { deadlines: Partial<Record<Phase, number>>; floor?: number | null };

/** One line of the ticker: an alert, a ticket transition, an incident. */
export interface FeedItem {
  id: string;
  atMs: number;
  type: 'alert' | 'ticket' | 'occurrence' | 'incident' | 'device';
  gridId: string;
  priority: Priority | null;
  deviceId: string | null;
  ticketId: string | null;
  /** Machine words the screens translate: e.g. `dispatch`, `firing`, `smoke_alarm`. */
  what: string;
  /** Free text (a note, a reason), shown as it is. */
  note: string | null;
}

export interface RealtimeSnapshot {
  atMs: number;
  /** The event log id this snapshot reflects every event up to. */
  eventId: number;
  user: RealtimeUser;
  devices: DeviceLive[];
  /** Open tickets in scope, plus those closed in the last 24 h (so the board can show them). */
  tickets: LiveTicket[];
  /** The latest feed items in scope, newest last. */
  feed: FeedItem[];
}

export interface RealtimeDelta {
  /** Increases by one per delta of one room (for logs and tests; Socket.IO keeps order); 0 for a resume. */
  seq: number;
  atMs: number;
  /** The event log id this delta brings the client up to. */
  eventId: number;
  /** The catch-up after a reconnect (RealtimeResume): everything missed since the client's last eventId. */
  resumed?: boolean;
  devices: DeviceLive[];
  tickets: LiveTicket[];
  /** Tickets that left this room's scope (transferred to another grid). */
  ticketsGone: string[];
  feed: FeedItem[];
  /** Feed items dropped by coalescing in this window (the ticker shows only the latest). */
  feedDropped: number;
}

/** A personal notification: a ticket dispatched or transferred to this user. */
export interface RealtimeNotice {
  ticket: LiveTicket;
  what: 'dispatched' | 'transferred' | 'reopened' | 'escalated';
}

export interface ServerToClientEvents {
  snapshot: (snapshot: RealtimeSnapshot) => void;
  delta: (delta: RealtimeDelta) => void;
  notice: (notice: RealtimeNotice) => void;
}

export interface ClientToServerEvents {
  /** Ask for a fresh snapshot (after a seq gap, or when the tab wakes up). */
  resync: (ack: (snapshot: RealtimeSnapshot | { code: string; message: string }) => void) => void;
}

/** The Socket.IO path the hub serves, under the HTTP port. */
export const REALTIME_PATH = '/socket.io';
/** How often the server flushes coalesced deltas. */
export const REALTIME_FLUSH_MS = 250;
