import { formatTime, whereText } from '../content.ts';
import type { Locale, Notice } from '../types.ts';

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
