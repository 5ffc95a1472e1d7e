// Pure: a batch of readings as table rows. Numeric fields (and booleans as 0/1) also go to
// `reading_values`. Plain JavaScript, so that the embedded telemetry's writer thread (worker.mjs,
// started without the TypeScript loader) builds the rows itself: the hub's main thread then
// hands the thread the readings as they are, which costs it a third of sending the rows.
// The PostgreSQL path (readings.ts) uses it too. Types: rows.d.mts.

export function readingRows(readings) {
  const rows = [];
  const values = [];
  for (const r of readings) {
    rows.push({
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
    });
    for (const field in r.fields) {
      const v = r.fields[field];
      const value = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : NaN;
      if (Number.isFinite(value)) values.push({ device_id: r.deviceId, field, ts_ms: r.tsMs, message: r.message, seq: r.seq, value, rx_ms: r.rxMs });
    }
  }
  return { readings: rows, values };
}
