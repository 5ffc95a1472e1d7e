import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { HubError, type EventLogReader, type Silence, type UserRole } from '@gridhub/core';
import type { SlaConfig } from '@gridhub/rules';
import { createChannel } from './channels/index.ts';
import { DEFAULT_NOTIFY, parseNotifyFile, PERSON_CHANNELS, utcOffsetMin, validateNotifyFile, type NotifyFile, type PersonChannel } from './config.ts';
import { DEFAULT_TIME_ZONE } from './content.ts';
import { LogConsumer } from './consumer.ts';
import { testNotice } from './notices.ts';
import { DeliveryStore } from './queue.ts';
import type { Person } from './routing.ts';
import { maskFile, openFile, sealFile } from './secrets.ts';
import { NotifyStats } from './stats.ts';
import type { Address, Channel, Locale, PushSubscriptionJson, SendOutcome, Where } from './types.ts';
import { NotifyWorker } from './worker.ts';

/** A person as the hub knows them (users and the site's wardens); the notifier adds contacts and choices. */
export interface BasePerson {
  id: string;
  name: string;
  role: UserRole;
  gridId: string | null;
  /** Community and street officers (社区干部, 街道干部): their place, from the site (the notify file's contacts may say otherwise). */
  communityId?: string | null;
  streetId?: string | null;
  phone: string | null;
}

export interface NotifierOptions {
  db: Kysely<any>;
  reader: EventLogReader;
  people: () => Promise<BasePerson[]>;
  silences: () => readonly Silence[];
  where: (q: { deviceId: string | null; estateId: string; buildingId: string | null; unitId: string | null }) => Promise<Where | null>;
  assignees: (ticketIds: readonly string[]) => Promise<string[]>;
  log: Logger;
  /** AES-256-GCM key for secrets at rest (HUB_SECRET_KEY). */
  secretKey: Buffer | null;
  /** HUB_PUBLIC_URL: the link in every message. */
  publicUrl: string | null;
  /** HUB_NOTIFY_FILE: imported at every start (it replaces what the API saved). */
  filePath?: string | null;
  clock?: () => number;
  sla?: SlaConfig;
  backoff?: { baseMs: number; maxMs: number };
  maxAgeMs?: number;
}

export interface Prefs {
  channels: PersonChannel[] | null;
  locale: Locale;
}

export interface Notifier {
  readonly store: DeliveryStore;
  readonly stats: NotifyStats;
  /** The notification file with every secret masked (what the API returns). */
  config(): { file: NotifyFile; updatedMs: number | null; updatedBy: string | null };
  /** Validates, encrypts the secrets, saves and puts the file in force. */
  putConfig(text: string, by: string): Promise<NotifyFile>;
  /** Sends a test message on one channel now (to a person for SMS and push). */
  test(channelId: string, userId: string | null): Promise<SendOutcome>;
  vapidPublicKey(): string | null;
  subscribe(userId: string, sub: PushSubscriptionJson): Promise<void>;
  unsubscribe(userId: string, endpoint: string): Promise<boolean>;
  prefs(userId: string): Promise<Prefs>;
  setPrefs(userId: string, prefs: Prefs): Promise<Prefs>;
  /** Runs the consumer once to the end of the log (tests, benches). */
  drain(): Promise<void>;
  kick(): void;
  close(): Promise<void>;
}

const CONFIG_ID = 'current';

export async function createNotifier(o: NotifierOptions): Promise<Notifier> {
  const clock = o.clock ?? Date.now;
  const log = o.log;
  const store = new DeliveryStore(o.db);
  const stats = new NotifyStats();

  let stored: NotifyFile = DEFAULT_NOTIFY;
  let meta: { updatedMs: number | null; updatedBy: string | null } = { updatedMs: null, updatedBy: null };
  const row = await o.db.selectFrom('notify_config').selectAll().where('id', '=', CONFIG_ID).executeTakeFirst();
  if (row) {
    stored = validateNotifyFile(JSON.parse(String(row.body)));
    meta = { updatedMs: Number(row.updated_ms), updatedBy: String(row.updated_by) };
  }
  let opened = openFile(stored, o.secretKey);
  let channels = new Map<string, Channel>();
  const timeZone = () => opened.timeZone ?? DEFAULT_TIME_ZONE;
  const build = () => {
    channels = new Map(opened.channels.map((c) => [c.id, createChannel(c, { timeZone: timeZone(), clock, onGone: (endpoint) => void removeSubscription(endpoint) })]));
  };
  build();

  async function save(file: NotifyFile, by: string): Promise<NotifyFile> {
    const sealed = sealFile(file, o.secretKey, stored);
    const nextOpened = openFile(sealed, o.secretKey);
    const now = clock();
    const body = JSON.stringify(sealed);
    await o.db.insertInto('notify_config').values({ id: CONFIG_ID, body, updated_ms: now, updated_by: by }).onConflict((oc) => oc.column('id').doUpdateSet({ body, updated_ms: now, updated_by: by })).execute();
    stored = sealed;
    opened = nextOpened;
    meta = { updatedMs: now, updatedBy: by };
    build();
    return maskFile(sealed);
  }

  if (o.filePath) {
    const file = parseNotifyFile(readFileSync(o.filePath, 'utf8'));
    await save(file, `file:${o.filePath}`);
    log.info({ file: o.filePath, channels: file.channels.length, routes: file.routes.length }, 'notification file imported');
  }

  const removeSubscription = (endpoint: string) => o.db.deleteFrom('notify_subscriptions').where('endpoint', '=', endpoint).execute();
  const subscriptionsOf = async (userId: string): Promise<PushSubscriptionJson[]> =>
    (await o.db.selectFrom('notify_subscriptions').selectAll().where('user_id', '=', userId).execute()).map((r) => ({ endpoint: String(r.endpoint), keys: { p256dh: String(r.p256dh), auth: String(r.auth) } }));

  let cache: { atMs: number; people: Person[] } | null = null;
  async function people(): Promise<Person[]> {
    const now = clock();
    if (cache && now - cache.atMs < 2000) return cache.people;
    const [base, prefs, subs] = await Promise.all([
      o.people(),
      o.db.selectFrom('notify_prefs').selectAll().execute(),
      o.db.selectFrom('notify_subscriptions').select('user_id').distinct().execute(),
    ]);
    const prefOf = new Map(prefs.map((p) => [String(p.user_id), p]));
    const pushers = new Set(subs.map((s) => String(s.user_id)));
    const contacts = new Map((opened.contacts ?? []).map((c) => [c.user, c]));
    const list = base.map((b): Person => {
      const c = contacts.get(b.id);
      const p = prefOf.get(b.id);
      return {
        ...b, phone: c?.phone ?? b.phone, communityId: c?.community ?? b.communityId ?? null, streetId: c?.street ?? b.streetId ?? null,
        locale: (p?.locale as Locale | undefined) ?? 'zh', channels: p?.channels ? (JSON.parse(String(p.channels)) as PersonChannel[]) : null, push: pushers.has(b.id),
      };
    });
    cache = { atMs: now, people: list };
    return list;
  }
  const invalidate = () => void (cache = null);

  async function address(d: { recipient: string; personId: string | null; channelType: string }): Promise<Address | null> {
    if (d.recipient.startsWith('group:')) return { type: 'group' };
    if (!d.personId) return null;
    if (d.channelType === 'webpush') {
      const subscriptions = await subscriptionsOf(d.personId);
      return subscriptions.length ? { type: 'push', subscriptions } : null;
    }
    const p = (await people()).find((x) => x.id === d.personId);
    return p?.phone ? { type: 'phone', phone: p.phone } : null;
  }

  const worker = new NotifyWorker({ store, channel: (id) => channels.get(id), address, stats, log, clock, backoff: o.backoff, maxAgeMs: o.maxAgeMs });
  const consumer = new LogConsumer({
    reader: o.reader,
    store,
    directory: { people, silences: o.silences, where: o.where, assignees: o.assignees },
    config: () => ({ file: opened, publicUrl: o.publicUrl ?? opened.publicUrl ?? null, utcOffsetMin: utcOffsetMin(timeZone(), clock()) }),
    stats,
    log,
    onEnqueued: () => worker.kick(),
    clock,
    sla: o.sla,
  });
  await consumer.start();
  worker.start();

  return {
    store,
    stats,
    config: () => ({ file: maskFile(stored), ...meta }),
    putConfig: async (text, by) => save(parseNotifyFile(text), by),
    async test(channelId, userId) {
      const ch = channels.get(channelId);
      if (!ch) throw new HubError('HUB_ERR_NOT_FOUND', [`notification channel ${channelId}`]);
      let addr: Address | null = { type: 'group' };
      if (!['wecom', 'dingtalk', 'feishu', 'webhook'].includes(ch.type)) {
        if (!userId) throw new HubError('HUB_ERR_VALIDATION', ['a test on an SMS or push channel needs a user to send to']);
        addr = await address({ recipient: `user:${userId}`, personId: userId, channelType: ch.type });
        if (!addr) throw new HubError('HUB_ERR_VALIDATION', [`user ${userId} has no ${ch.type === 'webpush' ? 'push subscription' : 'phone number'}`]);
      }
      const notice = testNotice(clock(), o.publicUrl ?? opened.publicUrl ?? null);
      return ch.send({ notices: [notice], locale: 'zh', address: addr, key: `test|${clock()}` });
    },
    vapidPublicKey: () => {
      const c = opened.channels.find((x) => (opened.push ? x.id === opened.push : x.type === 'webpush'));
      return c && c.type === 'webpush' ? c.publicKey : null;
    },
    async subscribe(userId, sub) {
      const values = { endpoint: sub.endpoint, user_id: userId, p256dh: sub.keys.p256dh, auth: sub.keys.auth, created_ms: clock() };
      await o.db.insertInto('notify_subscriptions').values(values).onConflict((oc) => oc.column('endpoint').doUpdateSet({ user_id: userId, p256dh: sub.keys.p256dh, auth: sub.keys.auth })).execute();
      invalidate();
    },
    async unsubscribe(userId, endpoint) {
      const r = await o.db.deleteFrom('notify_subscriptions').where('endpoint', '=', endpoint).where('user_id', '=', userId).executeTakeFirst();
      invalidate();
      return Number(r.numDeletedRows) > 0;
    },
    async prefs(userId) {
      const r = await o.db.selectFrom('notify_prefs').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return { channels: r?.channels ? (JSON.parse(String(r.channels)) as PersonChannel[]) : null, locale: (r?.locale as Locale | undefined) ?? 'zh' };
    },
    async setPrefs(userId, prefs) {
      const channelsJson = prefs.channels ? JSON.stringify(prefs.channels.filter((c) => PERSON_CHANNELS.includes(c))) : null;
      const values = { user_id: userId, channels: channelsJson, locale: prefs.locale, updated_ms: clock() };
      await o.db.insertInto('notify_prefs').values(values).onConflict((oc) => oc.column('user_id').doUpdateSet({ channels: channelsJson, locale: prefs.locale, updated_ms: values.updated_ms })).execute();
      invalidate();
      return prefs;
    },
    drain: () => consumer.drain(),
    kick: () => {
      consumer.kick();
      worker.kick();
    },
    async close() {
      await consumer.close();
      await worker.close();
    },
  };
}
