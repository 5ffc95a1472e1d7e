import { isDeviceKind } from '@gridhub/core';
import type { Kysely } from 'kysely';
import type { UploadedCodec, UploadedCodecStore } from './types.ts';

interface CodecRow {
  model_id: string;
  kind: string;
  vendor: string;
  name: string;
  format: string;
  source: string;
  updated_ms: number | string;
  updated_by: string | null;
}

/**
 * Uploaded codecs in the hub's database (migration 0150, table device_model_codecs), over the
 * store package's Kysely: SQLite and PostgreSQL alike. One row per model; an upload replaces it.
 */
export class SqlCodecStore implements UploadedCodecStore {
  readonly #db: Kysely<any>;

  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  async listCodecs(): Promise<UploadedCodec[]> {
    const rows = (await this.#db.selectFrom('device_model_codecs').selectAll().orderBy('model_id').execute()) as CodecRow[];
    const out: UploadedCodec[] = [];
    for (const r of rows) {
      if (!isDeviceKind(r.kind) || r.format !== 'ttn-js') continue;
      out.push({
        modelId: r.model_id, kind: r.kind, vendor: r.vendor, name: r.name, format: 'ttn-js', source: r.source,
        updatedMs: Number(r.updated_ms), updatedBy: r.updated_by,
      });
    }
    return out;
  }

  async putCodec(c: UploadedCodec): Promise<void> {
    const row = {
      kind: c.kind, vendor: c.vendor, name: c.name, format: c.format, source: c.source, updated_ms: c.updatedMs, updated_by: c.updatedBy,
    };
    await this.#db
      .insertInto('device_model_codecs')
      .values({ model_id: c.modelId, ...row })
      .onConflict((oc) => oc.column('model_id').doUpdateSet(row))
      .execute();
  }
}
