import type { Kysely } from 'kysely';
import type { Silence } from '@gridhub/core';

/** A silence as stored, with who made it. */
export interface StoredSilence extends Silence {
  createdBy: string;
  createdMs: number;
}

export interface SavedRuleSet {
  body: string;
  updatedMs: number;
  updatedBy: string;
}

interface SilenceRow {
  id: string;
  estate_id: string | null;
  building_id: string | null;
  device_id: string | null;
  rule_ids: string | null;
  from_ms: number;
  to_ms: number;
  reason: string;
  created_by: string;
  created_ms: number;
}

function silenceFromRow(r: SilenceRow): StoredSilence {
  const scope: Silence['scope'] = {};
  if (r.estate_id !== null) scope.estate = r.estate_id;
  if (r.building_id !== null) scope.building = r.building_id;
  if (r.device_id !== null) scope.device = r.device_id;
  return {
    id: r.id, scope, ruleIds: r.rule_ids ? (JSON.parse(r.rule_ids) as string[]) : null, fromMs: Number(r.from_ms), toMs: Number(r.to_ms), reason: r.reason,
    createdBy: r.created_by, createdMs: Number(r.created_ms),
  };
}

/**
 * Rules configuration edited through the API (migration 0103): the rule-set file as last saved
 * and the silences. Over the store package's Kysely, on SQLite and PostgreSQL alike.
 */
export class RulesConfigStore {
  readonly #db: Kysely<any>;

  constructor(db: Kysely<any>) {
    this.#db = db;
  }

  async ruleSet(): Promise<SavedRuleSet | undefined> {
    const r = await this.#db.selectFrom('rule_sets').selectAll().where('id', '=', 'current').executeTakeFirst();
    return r ? { body: r.body, updatedMs: Number(r.updated_ms), updatedBy: r.updated_by } : undefined;
  }

  async saveRuleSet(body: string, by: string, atMs: number): Promise<void> {
    await this.#db
      .insertInto('rule_sets')
      .values({ id: 'current', body, updated_ms: atMs, updated_by: by })
      .onConflict((oc) => oc.column('id').doUpdateSet({ body, updated_ms: atMs, updated_by: by }))
      .execute();
  }

  /** Silences not yet over at `nowMs` (all of them when absent). */
  async silences(nowMs?: number): Promise<StoredSilence[]> {
    let q = this.#db.selectFrom('silences').selectAll();
    if (nowMs !== undefined) q = q.where('to_ms', '>', nowMs);
    const rows = await q.orderBy('from_ms').orderBy('id').execute();
    return rows.map((r) => silenceFromRow(r as SilenceRow));
  }

  async silence(id: string): Promise<StoredSilence | undefined> {
    const r = await this.#db.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? silenceFromRow(r as SilenceRow) : undefined;
  }

  /** Inserts or replaces a silence by id. */
  async putSilence(s: StoredSilence): Promise<void> {
    const row: SilenceRow = {
      id: s.id, estate_id: s.scope.estate ?? null, building_id: s.scope.building ?? null, device_id: s.scope.device ?? null,
      rule_ids: s.ruleIds ? JSON.stringify(s.ruleIds) : null, from_ms: s.fromMs, to_ms: s.toMs, reason: s.reason, created_by: s.createdBy, created_ms: s.createdMs,
    };
    const { id: _id, ...rest } = row;
    await this.#db.insertInto('silences').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
  }

  async deleteSilence(id: string): Promise<boolean> {
    const r = await this.#db.deleteFrom('silences').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
