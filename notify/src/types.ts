import type { Priority } from '@gridhub/core';

/** Languages a message is written in: zh-CN by default, English for users who chose it. */
export type Locale = 'zh' | 'en';

/** Where it happened, in names people read (estate / building / unit / floor). */
export interface Where {
  estate: string;
  building: string | null;
  unit: string | null;
  floor: number | null;
}

/**
 * What one page says, neutral to the channel: each channel renders it (markdown for a robot group,
 * a template and its parameters for SMS, a notification for web push, JSON for a webhook).
 */
export interface Notice {
  kind: 'alarm' | 'escalation' | 'incident' | 'test';
  priority: Priority;
  ticketId: string | null;
  incidentId: string | null;
  /** The rule's or the incident's title ("烟感报警 Smoke alarm"). */
  title: string;
  where: Where | null;
  /** When it happened (epoch ms). */
  atMs: number;
  /** The deadline of the phase now open (accept), if any. */
  deadlineMs: number | null;
  /** Who has it (the assignee's name). */
  assignee: string | null;
  /** Escalation level (1 grid leader, 2 community, 3 street office). */
  level: number | null;
  /** Number of detectors / tickets behind an incident. */
  count: number | null;
  /** Link to the ticket on the hub (HUB_PUBLIC_URL). */
  link: string | null;
}

/** Who receives one delivery on one channel. */
export type Address =
  | { type: 'group' } // a robot group or webhook: the channel itself is the address
  | { type: 'phone'; phone: string }
  | { type: 'push'; subscriptions: PushSubscriptionJson[] };

export interface PushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** One outgoing request: one notice, or a digest of several (past the channel's rate limit). */
export interface Outgoing {
  notices: Notice[];
  locale: Locale;
  address: Address;
  /** Idempotency key of the (first) delivery: webhooks carry it so a receiver can drop repeats. */
  key: string;
}

/**
 * The outcome of one request. `retry`: worth trying again later (5xx, timeout, the provider's
 * rate limit); otherwise the request can never succeed as it is (bad key, bad template) and the
 * delivery goes to the dead-letter list at once.
 */
export type SendOutcome = { ok: true; detail?: string } | { ok: false; retry: boolean; rateLimited?: boolean; error: string };

/** A provider's documented rate limit: at most `limit` requests in any `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export type ChannelType = 'wecom' | 'dingtalk' | 'feishu' | 'sms_aliyun' | 'sms_tencent' | 'webpush' | 'webhook';

/** Channels that post to a group (the channel is the address) rather than to a person. */
export const GROUP_CHANNEL_TYPES: readonly ChannelType[] = ['wecom', 'dingtalk', 'feishu', 'webhook'];

/** One channel: a configured robot, SMS account, VAPID identity or webhook. */
export interface Channel {
  readonly id: string;
  readonly type: ChannelType;
  /** Per target (a robot; a phone; a subscription), every limit must hold. */
  readonly limits: readonly RateLimit[];
  /** Largest body the provider takes; a digest is cut to fit. */
  readonly maxBytes: number;
  /** How many of `notices` (from the front) one request can carry in `locale`. */
  fit(notices: readonly Notice[], locale: Locale): number;
  send(out: Outgoing): Promise<SendOutcome>;
}
