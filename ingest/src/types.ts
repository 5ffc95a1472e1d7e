import type { Reading } from '@gridhub/core';
import type { HistoryQuery, HistoryResult, ReadingsQuery } from '@gridhub/store';

/**
 * Where confirmed readings live: InfluxDB (INFLUX_URL set) or the embedded SQL table.
 * `write` resolves only once the readings are stored (InfluxDB: the client's writeSuccess);
 * it rejects when they are not, and the spool keeps them for a retry. Writing the same
 * reading twice must store it once (points are keyed by device, message, ts and seq).
 */
export interface TelemetrySink {
  readonly name: 'influxdb' | 'embedded';
  write(readings: Reading[]): Promise<void>;
  query(q: HistoryQuery): Promise<HistoryResult>;
  /** Every stored reading in [fromMs, toMs), oldest first, at most `limit` (a rule dry run replays them). */
  readings(q: ReadingsQuery): Promise<Reading[]>;
  /** For /api/health: resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
