import type { Kpi } from '@gridhub/core';
import { echarts, groupedBarsOption, ReactECharts, useGlyphs } from './echarts.ts';

/** Mean minutes to accept, arrive and close per group, as bars (the report's times). */
export default function KpiTimes({ title, groups, label, series }: { title: string; groups: Record<string, Kpi>; label(key: string): string; series: { accept: string; arrive: string; close: string } }) {
  const keys = Object.keys(groups).sort();
  const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6000) / 10);
  const ready = useGlyphs([title, series.accept, series.arrive, series.close, ...keys.map(label)].join(''));
  if (!ready) return <div style={{ height: 200 }} />;
  const bar = (name: string, stat: 'accept' | 'arrive' | 'close') => ({ name, data: keys.map((k) => minutes(groups[k]![stat].meanMs)) });
  return (
    <ReactECharts
      echarts={echarts}
      style={{ height: 200 }}
      option={groupedBarsOption(title, keys.map(label), [bar(series.accept, 'accept'), bar(series.arrive, 'arrive'), bar(series.close, 'close')])}
    />
  );
}
