import type { Kysely } from 'kysely';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where photo bytes live: one interface, so an S3-compatible store can take the place of the
 * files later. Keys are the hub's own ids (never a name from the client).
 */
export interface PhotoBlobs {
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
}

/** Photos as files under `<HUB_DATA_DIR>/photos/<2 chars>/<key>`, written to a temp name, fsynced by rename. */
export class FilePhotoBlobs implements PhotoBlobs {
  constructor(readonly dir: string) {}

  #path(key: string): string {
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(key)) throw new Error(`bad photo key ${key}`);
    return join(this.dir, key.slice(0, 2), key);
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.#path(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    await writeFile(`${path}.tmp`, bytes, { flush: true });
    await rename(`${path}.tmp`, path);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.#path(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}

export interface PhotoMeta {
  id: string;
  ticketId: string;
  contentType: string;
  bytes: number;
  sha256: string;
  uploadedBy: string;
  createdMs: number;
  locationKept: boolean;
}

/** Photos: metadata in the store's `photos` table (migration 0110), bytes in a PhotoBlobs. */
export class PhotoStore {
  constructor(
    private readonly db: Kysely<any>,
    readonly blobs: PhotoBlobs,
  ) {}

  /** Bytes first, then the row: a row always has its file (a crash between leaves only an unnamed file). */
  async add(meta: PhotoMeta, bytes: Buffer): Promise<void> {
    await this.blobs.put(meta.id, bytes);
    await this.db
      .insertInto('photos')
      .values({ id: meta.id, ticket_id: meta.ticketId, content_type: meta.contentType, bytes: meta.bytes, sha256: meta.sha256, uploaded_by: meta.uploadedBy, created_ms: meta.createdMs, location_kept: meta.locationKept ? 1 : 0 })
      .execute();
  }

  async meta(ticketId: string, id: string): Promise<PhotoMeta | undefined> {
    const r = await this.db.selectFrom('photos').selectAll().where('id', '=', id).where('ticket_id', '=', ticketId).executeTakeFirst();
    return r && { id: r.id, ticketId: r.ticket_id, contentType: r.content_type, bytes: Number(r.bytes), sha256: r.sha256, uploadedBy: r.uploaded_by, createdMs: Number(r.created_ms), locationKept: !!r.location_kept };
  }

  async get(ticketId: string, id: string): Promise<{ meta: PhotoMeta; bytes: Buffer } | null> {
    const meta = await this.meta(ticketId, id);
    const bytes = meta ? await this.blobs.get(meta.id) : null;
    return meta && bytes ? { meta, bytes } : null;
  }
}
