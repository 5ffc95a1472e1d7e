import type { RateLimit } from './types.ts';

/**
 * Rate planning (pure) for one target (a robot, a phone, a subscription set): given the times of
 * the requests already made, may one go now, and if not, when. Every documented limit must hold
 * (plus a second of margin for the provider's clock); in the upper half of the main limit's
 * budget requests are spaced out, so that alarms past the limit wait a few seconds and leave as
 * one digest each, rather than the whole minute's budget going at once and the rest of the
 * minute waiting. A request carries every pending notice that fits: nothing is dropped.
 */
export const RATE_MARGIN_MS = 1000;

export function nextSendMs(sentMs: readonly number[], limits: readonly RateLimit[], nowMs: number): number {
  let at = nowMs;
  for (const l of limits) {
    const window = l.windowMs + RATE_MARGIN_MS;
    const recent = sentMs.filter((t) => t > nowMs - window).sort((a, b) => a - b);
    if (recent.length >= l.limit) at = Math.max(at, recent[recent.length - l.limit]! + window);
  }
  const main = limits.reduce<RateLimit | null>((m, l) => (!m || l.windowMs > m.windowMs ? l : m), null);
  if (main && main.limit > 1) {
    const window = main.windowMs + RATE_MARGIN_MS;
    const recent = sentMs.filter((t) => t > nowMs - window);
    const half = Math.floor(main.limit / 2);
    if (recent.length >= half) {
      const spacing = Math.ceil(window / (main.limit - half));
      const last = Math.max(...recent);
      at = Math.max(at, last + spacing);
    }
  }
  return at;
}

/** Drops request times older than every window (keeps the memory per target small). */
export function pruneSent(sentMs: number[], limits: readonly RateLimit[], nowMs: number): number[] {
  const longest = Math.max(0, ...limits.map((l) => l.windowMs)) + RATE_MARGIN_MS;
  return sentMs.filter((t) => t > nowMs - longest);
}
