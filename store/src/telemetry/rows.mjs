// Pure: readings as table rows. Plain JavaScript, so that the embedded telemetry's writer thread
// (worker.mjs, started without the TypeScript loader) builds the rows itself: the hub's main
// thread then hands the thread the readings as they are, which costs it a third of sending the
// rows. Types: rows.d.mts.

/** One reading's row in `readings` (both stores; its fields as JSON text, which history reads: readings.ts). */
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
