// Pure: readings as table rows. Plain JavaScript, so that the embedded telemetry's writer thread
// (worker.mjs, started without the TypeScript loader) builds the rows itself: the hub's main
// thread then hands the thread the readings as they are, which costs it a third of sending the
// rows. Types: rows.d.mts.

/** One reading's row in `readings` (both stores). */
export function readingRow(r) {
  return {
    device_id: r.deviceId,
    message: r.message,
    ts_ms: r.tsMs,
    seq: r.seq,
    rx_ms: r.rxMs,
    kind: r.kind,
    grid_id: r.place.grid,
    estate_id: r.place.estate,
    building_id: r.place.building,
    unit_id: r.place.unit,
    fields: JSON.stringify(r.fields),
  };
}

/**
 * A batch's rows in `readings` and, on PostgreSQL, `reading_values`: one per numeric field
 * (booleans as 0/1). The embedded telemetry on SQLite keeps no `reading_values` (file.ts).
 */
export function readingRows(readings) {
  const rows = [];
  const values = [];
  for (const r of readings) {
    rows.push(readingRow(r));
    for (const field in r.fields) {
      const v = r.fields[field];
      const value = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : NaN;
      if (Number.isFinite(value)) values.push({ device_id: r.deviceId, field, ts_ms: r.tsMs, message: r.message, seq: r.seq, value, rx_ms: r.rxMs });
    }
  }
  return { readings: rows, values };
}
