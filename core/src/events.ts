import type { RulesEvent } from './tickets.ts';

/**
 * The hub's event log (outbox): every alert transition, ticket transition, occurrence, incident
 * and device-state change is a row, written in the same transaction as the change it records,
 * with a monotonic id. Consumers (realtime, notifications, other hub nodes) read it by cursor and
 * keep their own position, stored with their own effects; nothing is emitted from memory.
 */
export interface LoggedEvent<E = RulesEvent> {
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
