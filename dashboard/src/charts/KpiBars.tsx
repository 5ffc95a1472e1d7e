import { memo } from 'react';
import type { Kpi } from '@gridhub/core';
import { useI18n } from '../i18n.ts';
import { CHART_TEXT, echarts, ReactECharts, useGlyphs } from './echarts.ts';

/** Closure and on-time rate per group, as bars (memoised: a parent's re-render with the same figures draws nothing). */
export default memo(function KpiBars({ title, groups, label, dark }: { title: string; groups: Record<string, Kpi>; label(key: string): string; dark?: boolean }) {
  const { t } = useI18n();
  const keys = Object.keys(groups).sort();
  const rate = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  const ready = useGlyphs([title, t('closureRate'), t('onTimeRate'), ...keys.map(label)].join(''));
  if (!ready) return <div style={{ height: 200 }} />;
  return (
    <ReactECharts
      echarts={echarts}
      style={{ height: 200 }}
      theme={dark ? 'dark' : undefined}
      option={{
        backgroundColor: 'transparent',
        animation: false,
        textStyle: CHART_TEXT,
        title: { text: title, textStyle: { fontSize: 13 } },
        tooltip: { trigger: 'axis' },
        legend: { top: 20, left: 0, textStyle: { fontSize: 11 }, itemWidth: 14, itemHeight: 8 },
        grid: { left: 48, right: 8, top: 48, bottom: 24 },
        xAxis: { type: 'category', data: keys.map(label), axisLabel: { fontSize: 10, interval: 0 } },
        yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
        series: [
          { type: 'bar', name: t('closureRate'), data: keys.map((k) => rate(groups[k]!.closureRate)) },
          { type: 'bar', name: t('onTimeRate'), data: keys.map((k) => rate(groups[k]!.onTimeRate)) },
        ],
      }}
    />
  );
});
