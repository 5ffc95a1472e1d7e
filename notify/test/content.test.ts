import { describe, expect, it } from 'vitest';
import { fitCount, inWindow, nextSendMs, render, utf8Bytes, windowEndMs, utcOffsetMin } from '../src/index.ts';
import { notice, SMOKE_NOTICE } from './fixtures.ts';

describe('message content', () => {
  it('Chinese by default, English per user', () => {
    expect(render([SMOKE_NOTICE], 'zh', 'plain')).toBe(
      '【P1 告警】烟感报警 Smoke alarm\n位置: 阳光花园 3号楼 1单元 5层\n时间: 12/01 20:00:00\n接单时限: 12/01 20:02:00\n处置人: 张伟\n工单: https://hub.example.cn/m/tickets/T-1',
    );
    expect(render([SMOKE_NOTICE], 'en', 'plain')).toBe(
      '【P1 Alarm】烟感报警 Smoke alarm\nWhere: 阳光花园, 3号楼, 1单元, floor 5\nWhen: 01/12, 20:00:00\nAccept by: 01/12, 20:02:00\nAssignee: 张伟\nTicket: https://hub.example.cn/m/tickets/T-1',
    );
  });

  it('a digest names every notice, one line each', () => {
    const text = render([notice(1), notice(2), notice(3)], 'zh', 'markdown');
    expect(text.split('\n')[0]).toBe('**3 条告警汇总**');
    for (const i of [1, 2, 3]) expect(text).toContain(`/T-${i}`);
  });

  it('fitCount: the most notices whose rendering stays within the limit', () => {
    const many = Array.from({ length: 50 }, (_, i) => notice(i));
    const size = (b: readonly typeof SMOKE_NOTICE[]) => utf8Bytes(render(b, 'zh', 'plain'));
    const n = fitCount(many, size, 2048);
    expect(size(many.slice(0, n))).toBeLessThanOrEqual(2048);
    expect(size(many.slice(0, n + 1))).toBeGreaterThan(2048);
  });
});

describe('quiet hours and rate planning (pure)', () => {
  it('windows over midnight, in local time', () => {
    const at = (h: number, m = 0) => Date.UTC(2026, 11, 1, h - 8, m);
    expect(inWindow('22:00-07:00', at(23), 480)).toBe(true);
    expect(inWindow('22:00-07:00', at(6, 59), 480)).toBe(true);
    expect(inWindow('22:00-07:00', at(7), 480)).toBe(false);
    expect(windowEndMs('22:00-07:00', at(23), 480)).toBe(Date.UTC(2026, 11, 1, 23, 0));
    expect(utcOffsetMin('Asia/Shanghai', Date.now())).toBe(480);
  });

  it('20 per minute: half at once, then spaced, never more than 20 in any 61 s', () => {
    const limits = [{ limit: 20, windowMs: 60_000 }];
    const sent: number[] = [];
    for (let now = 0; now < 180_000; now += 100) if (nextSendMs(sent, limits, now) <= now) sent.push(now);
    for (const t of sent) expect(sent.filter((x) => x >= t && x < t + 61_000).length).toBeLessThanOrEqual(20);
    expect(sent.filter((t) => t < 60_000).length).toBeGreaterThanOrEqual(18);
    expect(sent.slice(0, 10).every((t) => t === 0 || t < 1000)).toBe(true);
  });

  it('every limit of a channel holds (Feishu: 5 per second and 100 per minute)', () => {
    const limits = [{ limit: 100, windowMs: 60_000 }, { limit: 5, windowMs: 1000 }];
    const sent: number[] = [];
    for (let now = 0; now < 120_000; now += 10) if (nextSendMs(sent, limits, now) <= now) sent.push(now);
    for (const t of sent) {
      expect(sent.filter((x) => x >= t && x < t + 1000).length).toBeLessThanOrEqual(5);
      expect(sent.filter((x) => x >= t && x < t + 60_000).length).toBeLessThanOrEqual(100);
    }
  });
});
