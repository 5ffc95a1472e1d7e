import type { RulesEvent } from './tickets.ts';

/** A device went online or offline (its connection, its status message or its last will). */
export interface DeviceStateEvent {
  type: 'device';
  deviceId: string;
  gridId: string;
  connected: boolean;
  atMs: number;
}

/** Everything the event log records: the rules' and tickets' events and device-state changes. */
export type HubEvent = RulesEvent | DeviceStateEvent;
export type HubEventType = HubEvent['type'];

/**
 * The hub's event log (outbox): every alert transition, ticket transition, occurrence, incident
 * and device-state change is a row, written in the same transaction as the change it records,
 * with a monotonic id. Consumers (realtime, notifications, other hub nodes) read it by cursor and
 * keep their own position, stored with their own effects; nothing is emitted from memory.
 */
export interface LoggedEvent<E = HubEvent> {
  /** Monotonic, gap-tolerant (a rolled-back id may be skipped), never reused. */
  id: number;
  /** Hub time of the commit. */
  atMs: number;
  event: E;
}

export interface EventLogReader {
  /** Events with id > afterId, oldest first, at most `limit`. */
  readAfter(afterId: number, limit: number): Promise<LoggedEvent[]>;
  /** The newest id (0 for an empty log). */
  lastId(): Promise<number>;
  /** The oldest id still kept (retention), 0 for an empty log: a cursor below it has missed events. */
  firstId(): Promise<number>;
  /** Called (without arguments) after a commit that appended events; returns an unsubscribe. */
  onAppend(listener: () => void): () => void;
}

/** The grid an event belongs to (for scoping a consumer's reads), or null when it names none. */
export function eventGridId(e: HubEvent): string | null {
  switch (e.type) {
    case 'ticket':
    case 'occurrence':
      return e.ticket.gridId;
    case 'incident':
      return e.incident.gridId;
    case 'device':
      return e.gridId;
    case 'alert':
      return null;
  }
}

/** The device an event is about, or null (an incident). */
export function eventDeviceId(e: HubEvent): string | null {
  switch (e.type) {
    case 'ticket':
    case 'occurrence':
      return e.ticket.deviceId;
    case 'alert':
    case 'device':
      return e.deviceId;
    case 'incident':
      return null;
  }
}
