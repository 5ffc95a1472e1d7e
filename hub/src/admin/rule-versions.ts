import type { Kysely } from 'kysely';

export interface RuleVersion {
  version: number;
  body: string;
  savedBy: string;
  savedMs: number;
  note: string;
}

/** Every saved rule set (table `rule_versions`, migration 0160), numbered from 1; never changed. */
export class RuleVersions {
  readonly #db: Kysely<any>;
  constructor(db: Kysely<any>) {
    this.#db = db;
  }
  async add(body: string, savedBy: string, savedMs: number, note: string): Promise<number> {
    return this.#db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom('rule_versions').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      await trx.insertInto('rule_versions').values({ version, body, saved_by: savedBy, saved_ms: savedMs, note }).execute();
      return version;
    });
  }
  async list(): Promise<Omit<RuleVersion, 'body'>[]> {
    const rows = await this.#db.selectFrom('rule_versions').select(['version', 'saved_by', 'saved_ms', 'note']).orderBy('version', 'desc').execute();
    return rows.map((r) => ({ version: Number(r.version), savedBy: String(r.saved_by), savedMs: Number(r.saved_ms), note: String(r.note) }));
  }
  async get(version: number): Promise<RuleVersion | undefined> {
    const r = await this.#db.selectFrom('rule_versions').selectAll().where('version', '=', version).executeTakeFirst();
    return r && { version: Number(r.version), body: String(r.body), savedBy: String(r.saved_by), savedMs: Number(r.saved_ms), note: String(r.note) };
  }
}
