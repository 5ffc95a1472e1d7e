import { formatTime, whereText } from '../content.ts';
import type { Channel, ChannelType, Locale, Notice, Outgoing, RateLimit, SendOutcome } from '../types.ts';
import { attempt } from './http.ts';

/**
 * SMS is sent from templates approved with the provider, never free text: a template per notice
 * kind (alarm, escalation, incident, digest, test) and these parameters. A digest (past the
 * per-phone limit) says how many alarms and names the newest; the link is on the hub.
 */
export interface SmsTemplates {
  alarm: string;
  escalation?: string;
  incident?: string;
  digest?: string;
  test?: string;
}

/** Each template variable at most 35 characters (Alibaba Cloud's limit for a variable; Tencent's is similar). */
const MAX_VAR = 35;
const cut = (s: string): string => (s.length > MAX_VAR ? `${s.slice(0, MAX_VAR - 1)}…` : s);

export interface SmsParams {
  template: string;
  /** Named parameters (Alibaba Cloud `TemplateParam`). */
  named: Record<string, string>;
  /** The same, in this order (Tencent Cloud `TemplateParamSet`): priority, title, place, time, count. */
  ordered: string[];
}

export function smsParams(templates: SmsTemplates, notices: readonly Notice[], locale: Locale, timeZone?: string): SmsParams {
  const newest = notices[notices.length - 1]!;
  const digest = notices.length > 1;
  const template = (digest ? templates.digest : templates[newest.kind === 'test' ? 'test' : newest.kind]) ?? templates.alarm;
  const named = {
    priority: newest.priority,
    title: cut(newest.title),
    place: cut(whereText(newest.where, locale) || '-'),
    time: formatTime(newest.atMs, locale, timeZone),
    count: String(notices.length),
  };
  return { template, named, ordered: [named.priority, named.title, named.place, named.time, named.count] };
}

/** Digits and a leading + only; mainland numbers without a country code get +86 (E.164). */
export function e164(phone: string): string {
  const p = phone.replace(/[\s-]/g, '');
  return p.startsWith('+') ? p : `+86${p}`;
}

/**
 * An SMS channel: a phone address, one notice per message (a digest past the limits), the
 * template's parameters; `post` is the provider's request and how it reads the answer.
 */
export function smsChannel(c: { id: string; type: ChannelType; limits: readonly RateLimit[]; templates: SmsTemplates; timeZone?: string | undefined }, post: (phone: string, params: SmsParams, out: Outgoing) => Promise<SendOutcome>): Channel {
  return {
    id: c.id,
    type: c.type,
    limits: c.limits,
    maxBytes: 500,
    fit: (notices) => notices.length,
    send: (out: Outgoing) =>
      attempt(async () => {
        if (out.address.type !== 'phone') return { ok: false, retry: false, error: 'SMS needs a phone number' };
        return post(out.address.phone, smsParams(c.templates, out.notices, out.locale, c.timeZone), out);
      }),
  };
}
