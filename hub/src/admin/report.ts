import type ExcelJS from 'exceljs';
import { excel } from './excel.ts';
import type { Kpi, KpiGroupBy, Ticket } from '@gridhub/core';
import { kpiBy, type SlaConfig } from '@gridhub/rules';

export interface MonthlyReport {
  month: string;
  fromMs: number;
  toMs: number;
  all: Kpi;
  open: number;
  overdue: number;
  groups: Record<Exclude<KpiGroupBy, 'all' | 'period'>, Record<string, Kpi>>;
  /** What each group key is called: grid, estate and warden names, device kinds in Chinese and English. */
  names: Record<string, string>;
}

/** [from, to) of a calendar month in China's time (UTC+8), e.g. '2026-11'. */
export function monthRange(month: string): { fromMs: number; toMs: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const offset = 8 * 3_600_000;
  return { fromMs: Date.UTC(y, m - 1, 1) - offset, toMs: Date.UTC(y, m, 1) - offset };
}

const EMPTY: Kpi = { tickets: 0, closed: 0, closureRate: null, onTimeRate: null, acknowledge: { n: 0, meanMs: null, medianMs: null }, accept: { n: 0, meanMs: null, medianMs: null }, arrive: { n: 0, meanMs: null, medianMs: null }, close: { n: 0, meanMs: null, medianMs: null } };

/** Pure: the monthly report (月报) of the tickets created in the month: 办结率, on-time rate, times, open and overdue. */
export function monthlyReport(month: string, tickets: readonly Ticket[], sla: SlaConfig, names: Record<string, string> = {}): MonthlyReport {
  const { fromMs, toMs } = monthRange(month);
  const inMonth = tickets.filter((t) => t.createdMs >= fromMs && t.createdMs < toMs);
  const by = (g: KpiGroupBy) => kpiBy(inMonth, g, { sla });
  return {
    month, fromMs, toMs,
    all: by('all')['all'] ?? Object.values(by('all'))[0] ?? EMPTY,
    open: inMonth.filter((t) => t.closedMs === null).length,
    overdue: inMonth.filter((t) => t.overdue.length > 0).length,
    groups: { grid: by('grid'), estate: by('estate'), warden: by('warden'), kind: by('kind') },
    names,
  };
}

const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6000) / 10);
const pct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);

/** The report as an Excel workbook: a summary sheet and one sheet per grouping. */
export async function reportXlsx(r: MonthlyReport): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'GridHub';
  const head = ['分组 group', '工单数 tickets', '已办结 closed', '办结率 closure %', '按时率 on-time %', '平均接单 accept (min)', '平均到场 arrive (min)', '平均办结 close (min)'];
  const row = (k: string, v: Kpi) => [k, v.tickets, v.closed, pct(v.closureRate), pct(v.onTimeRate), minutes(v.accept.meanMs), minutes(v.arrive.meanMs), minutes(v.close.meanMs)];
  const s = wb.addWorksheet('summary');
  s.addRow([`月报 Monthly report ${r.month}`]);
  s.addRow(head);
  s.addRow(row('all', r.all));
  s.addRow(['未办结 open', r.open]);
  s.addRow(['超时 overdue', r.overdue]);
  for (const [name, groups] of Object.entries(r.groups)) {
    const ws = wb.addWorksheet(name);
    ws.addRow(head);
    for (const [k, v] of Object.entries(groups)) ws.addRow(row(r.names[k] ? `${r.names[k]} (${k})` : k, v));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
