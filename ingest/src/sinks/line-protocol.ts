import { escape } from '@influxdata/influxdb-client';
import type { Reading } from '@gridhub/core';

/**
 * One reading as one line of InfluxDB line protocol. Pure.
 *   measurement: the message kind (telemetry | event | status)
 *   tags (sorted, empty ones omitted): building community device estate grid kind street unit
 *   fields: the reading's fields (numbers as floats, booleans, strings), seq and rx_ms (integers)
 *   time (ns): tsMs * 1e6 + seq % 1e6, so that the same reading written twice is the same point
 *   and two readings of one device in the same millisecond do not collide.
 */
export function readingToLine(r: Reading): string {
  const p = r.place;
  let line = escape.measurement(r.message);
  line = tag(line, 'building', p.building);
  line = tag(line, 'community', p.community);
  line = tag(line, 'device', r.deviceId);
  line = tag(line, 'estate', p.estate);
  line = tag(line, 'grid', p.grid);
  line = tag(line, 'kind', r.kind);
  line = tag(line, 'street', p.street);
  line = tag(line, 'unit', p.unit);
  let fields = '';
  for (const key in r.fields) {
    const v = r.fields[key];
    let text: string;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) continue;
      text = String(v);
    } else if (typeof v === 'boolean') text = v ? 'true' : 'false';
    else if (typeof v === 'string') text = escape.quoted(v);
    else continue;
    fields += `${escape.tag(key)}=${text},`;
  }
  fields += `seq=${r.seq}i,rx_ms=${Math.trunc(r.rxMs)}i`;
  return `${line} ${fields} ${pointTimeNs(r.tsMs, r.seq)}`;
}

/** tsMs * 1e6 + seq % 1e6 as a decimal string (it does not fit a double exactly). */
export function pointTimeNs(tsMs: number, seq: number): string {
  return `${Math.trunc(tsMs)}${String(seq % 1_000_000).padStart(6, '0')}`;
}

function tag(line: string, key: string, value: string | null | undefined): string {
  return value ? `${line},${key}=${escape.tag(value)}` : line;
}
