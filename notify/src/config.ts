import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { load as loadYaml } from 'js-yaml';
import { DEVICE_KINDS, HubError, PRIORITIES } from '@gridhub/core';

/**
 * The notification file (HUB_NOTIFY_FILE, also edited through the API by admins): channels
 * (robots, SMS accounts, VAPID identity, webhooks), routes (who is paged for what), quiet hours
 * and contacts for the officers above the grid. Fields named in SECRET_FIELDS are secrets: stored
 * encrypted, never returned by the API, never logged.
 */
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Url = Type.String({ pattern: '^https?://', maxLength: 500 });
const Secret = Type.String({ minLength: 1, maxLength: 2000 });
const Templates = Type.Object(
  {
    alarm: Type.String({ minLength: 1, maxLength: 64 }),
    escalation: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    incident: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    digest: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    test: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
const common = { id: Id, name: Type.Optional(Type.String({ maxLength: 100 })), grids: Type.Optional(Type.Array(Id)), url: Type.Optional(Url) };

export const ChannelConfigSchema = Type.Union([
  Type.Object({ ...common, type: Type.Literal('wecom'), key: Secret, msgtype: Type.Optional(Type.Union([Type.Literal('markdown'), Type.Literal('text')])) }, { additionalProperties: false }),
  Type.Object({ ...common, type: Type.Literal('dingtalk'), accessToken: Secret, secret: Secret }, { additionalProperties: false }),
  Type.Object({ ...common, type: Type.Literal('feishu'), hook: Secret, secret: Secret }, { additionalProperties: false }),
  Type.Object(
    { ...common, type: Type.Literal('sms_aliyun'), accessKeyId: Type.String({ minLength: 1 }), accessKeySecret: Secret, signName: Type.String({ minLength: 1 }), regionId: Type.Optional(Type.String()), templates: Templates },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      ...common, type: Type.Literal('sms_tencent'), secretId: Type.String({ minLength: 1 }), secretKey: Secret, sdkAppId: Type.String({ minLength: 1 }), signName: Type.String({ minLength: 1 }),
      region: Type.Optional(Type.String()), templates: Templates,
    },
    { additionalProperties: false },
  ),
  Type.Object({ ...common, type: Type.Literal('webpush'), subject: Type.String({ pattern: '^(mailto:|https:)' }), publicKey: Type.String({ minLength: 20 }), privateKey: Secret }, { additionalProperties: false }),
  Type.Object({ ...common, type: Type.Literal('webhook'), url: Url, secret: Secret, perMinute: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
]);
export type ChannelConfig = Static<typeof ChannelConfigSchema>;

/** Per-channel secret fields. */
export const SECRET_FIELDS: Record<ChannelConfig['type'], readonly string[]> = {
  wecom: ['key'],
  dingtalk: ['accessToken', 'secret'],
  feishu: ['hook', 'secret'],
  sms_aliyun: ['accessKeySecret'],
  sms_tencent: ['secretKey'],
  webpush: ['privateKey'],
  webhook: ['secret'],
};

export const PAGE_EVENTS = ['dispatch', 'escalate', 'incident'] as const;
export type PageEvent = (typeof PAGE_EVENTS)[number];
/** Channels a person can be paged on (a user picks among those a route allows). */
export const PERSON_CHANNELS = ['push', 'sms'] as const;
export type PersonChannel = (typeof PERSON_CHANNELS)[number];

export const RouteSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    /** What the route matches; an absent field matches everything. */
    match: Type.Optional(
      Type.Object(
        {
          events: Type.Optional(Type.Array(Type.Union(PAGE_EVENTS.map((e) => Type.Literal(e))))),
          priorities: Type.Optional(Type.Array(Type.Union(PRIORITIES.map((p) => Type.Literal(p))))),
          kinds: Type.Optional(Type.Array(Type.Union(DEVICE_KINDS.map((k) => Type.Literal(k))))),
          grids: Type.Optional(Type.Array(Id)),
          estates: Type.Optional(Type.Array(Id)),
          /** Local time window "HH:MM-HH:MM" the route is in force (e.g. nights only). */
          hours: Type.Optional(Type.String({ pattern: '^\\d{2}:\\d{2}-\\d{2}:\\d{2}$' })),
        },
        { additionalProperties: false },
      ),
    ),
    /** The people this route pages: the assignee (the on-duty warden) and/or the escalation level's people. */
    people: Type.Optional(Type.Array(Type.Union([Type.Literal('assignee'), Type.Literal('level')]))),
    /** Person channels allowed for them (each user chooses within these). */
    personChannels: Type.Optional(Type.Array(Type.Union(PERSON_CHANNELS.map((c) => Type.Literal(c))))),
    /** Group channels (robots, webhooks) by id; `grid` means each robot whose `grids` holds the ticket's grid. */
    groups: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }))),
  },
  { additionalProperties: false },
);
export type Route = Static<typeof RouteSchema>;

export const ContactSchema = Type.Object(
  {
    user: Id,
    phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 -]{5,20}$' })),
    community: Type.Optional(Id),
    street: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type Contact = Static<typeof ContactSchema>;

export const NotifyFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** HUB_PUBLIC_URL overrides it; the link in every message. */
    publicUrl: Type.Optional(Url),
    timeZone: Type.Optional(Type.String()),
    /** P3 pages are held in these hours (local "HH:MM-HH:MM"); P1 and P2 never are. */
    quietHours: Type.Optional(Type.String({ pattern: '^\\d{2}:\\d{2}-\\d{2}:\\d{2}$' })),
    /** Which SMS channel person pages use (the first sms_* channel if absent). */
    sms: Type.Optional(Id),
    push: Type.Optional(Id),
    channels: Type.Array(ChannelConfigSchema),
    routes: Type.Array(RouteSchema),
    contacts: Type.Optional(Type.Array(ContactSchema)),
  },
  { $id: 'NotifyFile', title: 'GridHub notification file', additionalProperties: false },
);
export type NotifyFile = Static<typeof NotifyFileSchema>;

/** The routes the hub starts with when no file is given: the policy, no channels yet. */
export const DEFAULT_NOTIFY: NotifyFile = {
  version: 1,
  quietHours: '22:00-07:00',
  channels: [],
  routes: [
    { name: 'P1: on-duty warden by push and SMS, and the grid robot group', match: { events: ['dispatch', 'incident'], priorities: ['P1'] }, people: ['assignee'], personChannels: ['push', 'sms'], groups: ['grid'] },
    { name: 'P2/P3: the assignee by push', match: { events: ['dispatch'], priorities: ['P2', 'P3'] }, people: ['assignee'], personChannels: ['push'] },
    { name: 'Escalation: the level by push and SMS', match: { events: ['escalate'] }, people: ['level'], personChannels: ['push', 'sms'], groups: ['grid'] },
  ],
};

const check = TypeCompiler.Compile(NotifyFileSchema);

/** Validates a parsed notification file; problems as one HUB_ERR_NOTIFY_CONFIG. */
export function validateNotifyFile(doc: unknown): NotifyFile {
  if (!check.Check(doc)) {
    const problems = [...check.Errors(doc)].slice(0, 10).map((e) => `${e.path || '/'}: ${e.message}`);
    throw new HubError('HUB_ERR_NOTIFY_CONFIG', [problems.join('; ')], problems);
  }
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const c of doc.channels) {
    if (ids.has(c.id)) problems.push(`/channels: id ${c.id} twice`);
    ids.add(c.id);
  }
  for (const r of doc.routes) for (const g of r.groups ?? []) if (g !== 'grid' && !ids.has(g)) problems.push(`/routes/${r.name}: no channel ${g}`);
  for (const key of ['sms', 'push'] as const) if (doc[key] && !ids.has(doc[key])) problems.push(`/${key}: no channel ${doc[key]}`);
  if (problems.length) throw new HubError('HUB_ERR_NOTIFY_CONFIG', [problems.join('; ')], problems);
  return doc;
}

/** Parses the YAML (or JSON) text of a notification file. */
export function parseNotifyFile(text: string): NotifyFile {
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch (err) {
    throw new HubError('HUB_ERR_NOTIFY_CONFIG', [`not YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  return validateNotifyFile(doc);
}

/** Minutes since local midnight of "HH:MM". */
const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Pure: whether local time `nowMs` (at utcOffsetMin) is inside "HH:MM-HH:MM" (may span midnight). */
export function inWindow(window: string, nowMs: number, utcOffsetMin: number): boolean {
  const [from, to] = window.split('-') as [string, string];
  const m = (((Math.floor(nowMs / 60_000) + utcOffsetMin) % 1440) + 1440) % 1440;
  const a = minutes(from);
  const b = minutes(to);
  return a <= b ? m >= a && m < b : m >= a || m < b;
}

/** Pure: the first moment at or after `nowMs` that is outside the window (the end of quiet hours). */
export function windowEndMs(window: string, nowMs: number, utcOffsetMin: number): number {
  if (!inWindow(window, nowMs, utcOffsetMin)) return nowMs;
  const to = minutes(window.split('-')[1]!);
  const localMin = Math.floor(nowMs / 60_000) + utcOffsetMin;
  const m = ((localMin % 1440) + 1440) % 1440;
  const ahead = (to - m + 1440) % 1440 || 1440;
  return (localMin + ahead - utcOffsetMin) * 60_000;
}

/** The UTC offset of a time zone at `atMs`, in minutes (Asia/Shanghai: 480). */
export function utcOffsetMin(timeZone: string, atMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(atMs));
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}
