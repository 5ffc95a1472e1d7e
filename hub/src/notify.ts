import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import { withTimeout, type EventLogReader, type Silence, type UserRole } from '@gridhub/core';
import { createNotifier, parseSecretKey, type BasePerson, type Notifier, type Where } from '@gridhub/notify';
import type { HubStore, SiteTree } from '@gridhub/store';
import type { UserStore } from './auth/index.ts';

/**
 * Notifications wired into the hub: the notifier reads the event log by cursor; the people it
 * may page are the hub's users and the site's wardens and officers (their phones); names of places come from
 * the site tree; silences from the rules engine.
 */
export interface HubNotifyOptions {
  db: unknown;
  store: HubStore;
  eventLog: EventLogReader;
  users: UserStore;
  silences: () => readonly Silence[];
  assignees: (ticketIds: readonly string[]) => Promise<string[]>;
  log: Logger;
  secretKey: string | null;
  publicUrl: string | null;
  notifyFile: string | null;
}

export async function createHubNotifier(o: HubNotifyOptions): Promise<Notifier> {
  let tree: { atMs: number; tree: SiteTree } | null = null;
  const siteTree = async () => {
    if (!tree || Date.now() - tree.atMs > 10_000) tree = { atMs: Date.now(), tree: await o.store.siteTree() };
    return tree.tree;
  };
  async function people(): Promise<BasePerson[]> {
    const [users, wardens, officers] = await Promise.all([o.users.list(), o.store.listWardens(), o.store.listOfficers()]);
    const phone = new Map([...wardens, ...officers].map((w) => [w.id, w.phone]));
    const out = new Map<string, BasePerson>();
    // Wardens and officers page by phone whether or not they have a login; a user account adds its role and choices.
    for (const w of wardens) out.set(w.id, { id: w.id, name: w.name, role: w.role === 'grid_leader' ? 'grid_leader' : 'warden', gridId: w.gridId, phone: w.phone });
    for (const f of officers) {
      const place = f.level === 'street' ? { role: 'street_officer' as const, communityId: null, streetId: f.placeId } : { role: 'community_officer' as const, communityId: f.placeId, streetId: null };
      out.set(f.id, { id: f.id, name: f.name, gridId: null, phone: f.phone, ...place });
    }
    for (const u of users) out.set(u.id, { id: u.id, name: u.name, role: u.role as UserRole, gridId: u.gridId, communityId: u.communityId, streetId: u.streetId, phone: phone.get(u.id) ?? null });
    return [...out.values()];
  }
  async function where(q: { deviceId: string | null; estateId: string; buildingId: string | null; unitId: string | null }): Promise<Where | null> {
    const t = await siteTree();
    const device = q.deviceId ? await o.store.deviceInfo(q.deviceId) : undefined;
    for (const c of t.communities)
      for (const g of c.grids)
        for (const e of g.estates) {
          if (e.id !== q.estateId) continue;
          const b = e.buildings.find((x) => x.id === q.buildingId);
          const u = b?.units.find((x) => x.id === (q.unitId ?? device?.unitId));
          return { estate: e.name, building: b?.name ?? null, unit: u?.name ?? null, floor: device?.floor ?? null };
        }
    return null;
  }
  return createNotifier({
    db: o.db as Kysely<any>,
    reader: o.eventLog,
    people,
    silences: o.silences,
    where,
    assignees: o.assignees,
    log: o.log,
    secretKey: parseSecretKey(o.secretKey),
    publicUrl: o.publicUrl,
    filePath: o.notifyFile,
  });
}

/** Prometheus text for notifications: per channel type, counters and the delivery latency summary. */
export async function notifyMetricsText(n: Notifier): Promise<string> {
  const lines: string[] = [];
  const counter = (name: string, help: string, read: (c: NonNullable<ReturnType<typeof n.stats.byType.get>>) => number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [channel, c] of n.stats.byType) lines.push(`${name}{channel="${channel}"} ${read(c)}`);
  };
  counter('hub_notify_deliveries_total', 'Deliveries the provider accepted (alone or in a digest)', (c) => c.delivered);
  counter('hub_notify_attempts_total', 'Requests made to a provider', (c) => c.attempts);
  counter('hub_notify_failures_total', 'Requests that failed (retried or dead-lettered)', (c) => c.failures);
  counter('hub_notify_retries_total', 'Requests that retried an earlier failure', (c) => c.retries);
  counter('hub_notify_digest_merges_total', 'Deliveries sent merged into a digest past a rate limit', (c) => c.digestMerges);
  counter('hub_notify_dead_total', 'Deliveries given up on (dead-lettered) since start', (c) => c.dead);
  const name = 'hub_notify_delivery_latency_seconds';
  lines.push(`# HELP ${name} Event commit -> the provider accepted the request`, `# TYPE ${name} summary`);
  for (const [channel, c] of n.stats.byType) {
    const sorted = [...c.latencyMs].sort((a, b) => a - b);
    for (const q of [0.5, 0.99]) lines.push(`${name}{channel="${channel}",quantile="${q}"} ${sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! / 1000 : 0}`);
    lines.push(`${name}_sum{channel="${channel}"} ${c.latencySumMs / 1000}`, `${name}_count{channel="${channel}"} ${c.latencyCount}`);
  }
  // The queue's gauges come from the store: while it stalls they are left out (and said so), the
  // rest of /metrics still answers at once (a scrape during a store outage is when it matters).
  const states = await withTimeout(n.store.countByState(), 1000).catch((err: unknown) => err as Error);
  if (states instanceof Error) return `${lines.join('\n')}\n# hub_notify_dead_letters and hub_notify_pending left out: the store did not answer (${states.message})\n`;
  lines.push('# HELP hub_notify_dead_letters Deliveries in the dead-letter list now, by channel type', '# TYPE hub_notify_dead_letters gauge');
  for (const r of states) if (r.state === 'dead') lines.push(`hub_notify_dead_letters{channel="${r.channelType}"} ${r.n}`);
  lines.push('# HELP hub_notify_pending Deliveries waiting (pending or failed, to be retried)', '# TYPE hub_notify_pending gauge');
  const pending = states.filter((r) => r.state === 'pending' || r.state === 'failed').reduce((a, r) => a + r.n, 0);
  lines.push(`hub_notify_pending ${pending}`);
  return `${lines.join('\n')}\n`;
}
