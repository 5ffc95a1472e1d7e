import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type SqlHubStore } from '@gridhub/store';
import { serverAvailable, startPostgres, tempDir, type Postgres } from '@gridhub/testkit';
import { SqlCodecStore, createCodecRegistry } from '../src/index.ts';

/** Uploaded codecs persist in the hub's database (migration 0150), on SQLite and on PostgreSQL. */
function suite(open: () => Promise<SqlHubStore>) {
  let store: SqlHubStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => store?.close());

  it('keeps an upload, replaces it on the next upload, and a new registry decodes with it', async () => {
    const codecs = new SqlCodecStore(store.db);
    // Persistence, not the limits (sandbox.test.ts holds those, in the serial project): on a busy
    // machine the niced sandbox worker may be starved past the 1 s load limit, so it is wide here.
    const sandbox = { loadTimeLimitMs: 10_000, timeLimitMs: 5_000 };
    const a = await createCodecRegistry({ uploaded: codecs, sandbox });
    const v1 = 'function decodeUplink(i) { return { data: { distance: i.bytes[0] } }; }';
    const v2 = 'function decodeUplink(i) { return { data: { distance: i.bytes[0] * 2, battery: 50 } }; }';
    expect((await a.upload({ modelId: 'acme-b1', kind: 'bin', vendor: 'Acme', name: 'B1', source: v1 }, 'root'))).toMatchObject({ ok: true });
    expect((await a.upload({ modelId: 'acme-b1', kind: 'bin', vendor: 'Acme', name: 'B1', source: v2 }, 'admin2'))).toMatchObject({ ok: true });
    await a.close();
    const rows = await codecs.listCodecs();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ modelId: 'acme-b1', kind: 'bin', vendor: 'Acme', name: 'B1', format: 'ttn-js', source: v2, updatedBy: 'admin2' });
    const b = await createCodecRegistry({ uploaded: new SqlCodecStore(store.db), sandbox });
    expect(b.model('acme-b1')).toEqual({ id: 'acme-b1', vendor: 'Acme', name: 'B1', kind: 'bin', codec: 'ttn-js' });
    const r = await b.decode('acme-b1', { fPort: 1, bytes: new Uint8Array([100]) });
    expect(r.decoded).toEqual({ distance: 200, battery: 50 });
    await b.close();
  });
}

describe('uploaded codecs on SQLite', () => {
  suite(() => createStore({ dataDir: tempDir('codecs-sqlite') }));
});

describe.skipIf(!serverAvailable('postgres'))('uploaded codecs on PostgreSQL', () => {
  let pg: Postgres;
  afterAll(async () => pg?.stop());
  suite(async () => {
    pg = await startPostgres();
    return createStore({ databaseUrl: pg.url });
  });
});
