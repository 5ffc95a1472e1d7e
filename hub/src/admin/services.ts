import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashSecret, HubError, type Reading, type SiteFile } from '@gridhub/core';
import { exportSite, setDeviceSecretHash, siteInvalid, validateSite, type SqlHubStore } from '@gridhub/store';
import { AuditLog } from './audit.ts';
import { diffSites, type SiteChange } from './site-edit.ts';
import { RuleVersions } from './rule-versions.ts';

/** What the admin routes need from the running hub (built in hub.ts). */
export interface AdminServices {
  audit: AuditLog;
  ruleVersions: RuleVersions;
  /** The stored site as the site file (device secrets as hashes), null before any site. */
  site(): Promise<SiteFile | null>;
  /** Validates `next` with the start's checks and lists what it would change; writes nothing. */
  preview(next: SiteFile): Promise<SiteChange[]>;
  /** Validates, then replaces the site in one transaction (all or nothing); ingest and broker follow at once. */
  apply(next: SiteFile): Promise<SiteChange[]>;
  /** A fresh device secret: stored as its scrypt hash, returned once; the device's connection is dropped. */
  provisionSecret(deviceId: string): Promise<string>;
  /** The device's secret is replaced by one nobody knows; its connection is dropped. */
  revokeSecret(deviceId: string): Promise<void>;
  /** Stored readings in [fromMs, toMs), oldest first: from the telemetry sink (InfluxDB or embedded). */
  readings(q: { fromMs: number; toMs: number; kinds?: readonly string[]; limit: number }): Promise<Reading[]>;
}

export interface AdminDeps {
  store: SqlHubStore;
  reloadDevices: () => Promise<unknown>;
  /** Forget the broker's cached verification and close the device's MQTT connection, if any. */
  dropDevice: (deviceId: string) => void;
  /** The telemetry sink's readings (ingest's TelemetrySink.readings): InfluxDB when configured, else the embedded table. */
  readings: (q: { fromMs: number; toMs: number; kinds?: readonly string[]; limit: number }) => Promise<Reading[]>;
}

/** A secret nobody holds: a device not yet provisioned, or revoked. */
const unknownSecretHash = () => hashSecret(randomBytes(32).toString('base64url'));

/** Devices added without a secret get one nobody knows (provision one later), so the site stays valid. */
async function fillSecrets(site: SiteFile): Promise<SiteFile> {
  const next = structuredClone(site);
  for (const c of next.communities) for (const g of c.grids) for (const e of g.estates) for (const d of e.devices) if (d.secret === undefined && d.secret_hash === undefined) d.secret_hash = await unknownSecretHash();
  return next;
}

const deviceIds = (s: SiteFile | null) => new Set((s?.communities ?? []).flatMap((c) => c.grids.flatMap((g) => g.estates.flatMap((e) => e.devices.map((d) => d.id)))));

export function createAdmin(deps: AdminDeps): AdminServices {
  const db = deps.store.db as unknown as Kysely<any>;
  const checked = async (next: SiteFile) => {
    const site = await fillSecrets(next);
    const problems = validateSite(site);
    if (problems.length) throw siteInvalid('site', problems);
    return site;
  };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const provision = (deviceId: string, hash: string) =>
    serial(async () => {
      // the secret and the request's audit row commit together (EventLog's joiner)
      await deps.store.db.transaction().execute(async (tx) => {
        if (!(await setDeviceSecretHash(tx, deviceId, hash))) throw new HubError('HUB_ERR_NOT_FOUND', [`device ${deviceId}`]);
        await deps.store.eventLog.joined(tx);
      });
      deps.dropDevice(deviceId);
    });
  return {
    audit: new AuditLog(db),
    ruleVersions: new RuleVersions(db),
    site: () => exportSite(deps.store.db),
    async preview(next) {
      const site = await checked(next);
      return diffSites(await exportSite(deps.store.db), site);
    },
    apply: (next) =>
      serial(async () => {
        const site = await checked(next);
        const before = await exportSite(deps.store.db);
        const changes = diffSites(before, site);
        await deps.store.importSite(site);
        await deps.reloadDevices();
        const kept = deviceIds(site);
        for (const c of changes) if (c.level === 'device' && (c.change === 'removed' || c.fields?.includes('secret_hash') || c.fields?.includes('secret') || c.fields?.includes('retired'))) deps.dropDevice(c.id);
        for (const id of deviceIds(before)) if (!kept.has(id)) deps.dropDevice(id);
        return changes;
      }),
    async provisionSecret(deviceId) {
      const secret = randomBytes(18).toString('base64url');
      await provision(deviceId, await hashSecret(secret));
      return secret;
    },
    async revokeSecret(deviceId) {
      await provision(deviceId, await unknownSecretHash());
    },
    readings: (q) => deps.readings(q),
  };
}
