import type { Locale, Notice, Where } from './types.ts';

/**
 * Message content (pure): what, where (estate / building / unit / floor), priority, when, the
 * deadline, who has it and the link, in Chinese by default and English for users who chose it.
 * One notice renders to a few lines; several (a digest, past a channel's rate limit) to one line
 * each under a count, so every alarm is in a message.
 */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const WORDS = {
  zh: {
    alarm: '告警', escalation: '升级', incident: '确认火情', test: '测试消息',
    where: '位置', when: '时间', deadline: '接单时限', assignee: '处置人', link: '工单', none: '未派单',
    level: ['', '网格长', '社区', '街道'], digest: (n: number) => `${n} 条告警汇总`, more: (n: number) => `另有 ${n} 条`,
    unit: '单元', floor: (f: number) => `${f}层`, detectors: (n: number) => `${n} 个探测器报警`,
  },
  en: {
    alarm: 'Alarm', escalation: 'Escalated', incident: 'Confirmed fire', test: 'Test message',
    where: 'Where', when: 'When', deadline: 'Accept by', assignee: 'Assignee', link: 'Ticket', none: 'not dispatched',
    level: ['', 'grid leader', 'community', 'street office'], digest: (n: number) => `${n} alarms`, more: (n: number) => `and ${n} more`,
    unit: 'unit', floor: (f: number) => `floor ${f}`, detectors: (n: number) => `${n} detectors in alarm`,
  },
} as const;

export function formatTime(ms: number, locale: Locale, timeZone = DEFAULT_TIME_ZONE): string {
  return new Intl.DateTimeFormat(locale === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(new Date(ms));
}

export function whereText(w: Where | null, locale: Locale): string {
  if (!w) return '';
  const t = WORDS[locale];
  const parts = [w.estate, w.building, w.unit, w.floor === null ? null : t.floor(w.floor)].filter((p): p is string => !!p);
  return parts.join(locale === 'zh' ? ' ' : ', ');
}

/** The headline: "【P1 告警】烟感报警 Smoke alarm" (escalations name the level). */
export function headline(n: Notice, locale: Locale): string {
  const t = WORDS[locale];
  const what = n.kind === 'escalation' && n.level ? `${t.escalation} → ${t.level[Math.min(n.level, 3)]}` : t[n.kind];
  return `【${n.priority} ${what}】${n.title}`;
}

/** The lines of one notice, without markup. */
export function noticeLines(n: Notice, locale: Locale, timeZone = DEFAULT_TIME_ZONE): string[] {
  const t = WORDS[locale];
  const lines = [headline(n, locale)];
  if (n.where) lines.push(`${t.where}: ${whereText(n.where, locale)}`);
  if (n.count !== null && n.kind === 'incident') lines.push(t.detectors(n.count));
  lines.push(`${t.when}: ${formatTime(n.atMs, locale, timeZone)}`);
  if (n.deadlineMs !== null) lines.push(`${t.deadline}: ${formatTime(n.deadlineMs, locale, timeZone)}`);
  if (n.kind !== 'test') lines.push(`${t.assignee}: ${n.assignee ?? t.none}`);
  if (n.link) lines.push(`${t.link}: ${n.link}`);
  return lines;
}

/** One line per notice of a digest. */
export function digestLine(n: Notice, locale: Locale, timeZone = DEFAULT_TIME_ZONE): string {
  const w = whereText(n.where, locale);
  return `${headline(n, locale)}${w ? ` ${w}` : ''} ${formatTime(n.atMs, locale, timeZone)}${n.link ? ` ${n.link}` : ''}`;
}

export type Markup = 'plain' | 'markdown';

/** The body of one request carrying `notices` (one, or a digest). */
export function render(notices: readonly Notice[], locale: Locale, markup: Markup, timeZone = DEFAULT_TIME_ZONE): string {
  if (notices.length === 1) {
    const [head, ...rest] = noticeLines(notices[0]!, locale, timeZone);
    return markup === 'markdown' ? [`**${head}**`, ...rest.map((l) => `> ${l}`)].join('\n') : [head, ...rest].join('\n');
  }
  const title = WORDS[locale].digest(notices.length);
  // A confirmed fire leads, then by priority; otherwise in the order they happened.
  const rank = (n: Notice) => (n.kind === 'incident' ? 0 : 1) * 10 + Number(n.priority.slice(1));
  const lines = [...notices].sort((a, b) => rank(a) - rank(b)).map((n) => digestLine(n, locale, timeZone));
  return markup === 'markdown' ? [`**${title}**`, ...lines.map((l) => `- ${l}`)].join('\n') : [title, ...lines].join('\n');
}

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * How many of `notices` (from the front) fit in one request of at most `maxBytes` as `size`
 * measures it; at least one (a single notice is cut by the channel if it must be).
 */
export function fitCount(notices: readonly Notice[], size: (batch: readonly Notice[]) => number, maxBytes: number): number {
  let lo = 1;
  let hi = notices.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (size(notices.slice(0, mid)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Cuts text to at most maxBytes of UTF-8 without splitting a character. */
export function cutBytes(s: string, maxBytes: number): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const b = utf8Bytes(ch);
    if (used + b > maxBytes - 3) break;
    out += ch;
    used += b;
  }
  return `${out}…`;
}
