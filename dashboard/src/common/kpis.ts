import { useEffect, useMemo, useState } from 'react';
import type { Kpi, KpiPeriod } from '@gridhub/core';
import { api } from '../api.ts';
import { useLiveSelect, useLiveStore } from '../live/LiveProvider.tsx';

export interface KpiResult {
  period: KpiPeriod;
  by: string;
  groups: Record<string, Kpi>;
}

/** KPIs of a period, grouped; fetched again whenever a ticket changes state (and every minute). */
export function useKpis(period: KpiPeriod, by: 'all' | 'grid' | 'kind'): KpiResult | null {
  const store = useLiveStore();
  // Only tickets matter here: a device delta does not re-render the KPI panel.
  const ticketsVersion = useLiveSelect((s) => s.ticketsVersion);
  const [data, setData] = useState<KpiResult | null>(null);
  // Re-read when the set of (ticket, status) pairs changes, not on every device delta.
  const key = useMemo(() => [...store.get().tickets.values()].map((t) => `${t.id}:${t.status}`).join(','), [ticketsVersion, store]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((n) => n + 1), 60_000);
    return () => clearInterval(id);
  }, []);
  useEffect(() => {
    let on = true;
    const timer = setTimeout(() => {
      api<KpiResult>(`/api/kpis?period=${period}&by=${by}`).then((r) => on && setData(r), () => {});
    }, 300);
    return () => {
      on = false;
      clearTimeout(timer);
    };
  }, [period, by, key, tick]);
  return data;
}

/** The figures of a period with no tickets (the API returns no group then). */
export const NO_TICKETS: Kpi = {
  tickets: 0,
  closed: 0,
  closureRate: null,
  onTimeRate: null,
  acknowledge: { n: 0, meanMs: null, medianMs: null },
  accept: { n: 0, meanMs: null, medianMs: null },
  arrive: { n: 0, meanMs: null, medianMs: null },
  close: { n: 0, meanMs: null, medianMs: null },
};

export const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
