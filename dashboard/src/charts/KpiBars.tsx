import { memo } from 'react';
import type { Kpi } from '@gridhub/core';
import { useI18n } from '../i18n.ts';
import { echarts, groupedBarsOption, ReactECharts, useGlyphs } from './echarts.ts';

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
      option={groupedBarsOption(
        title,
        keys.map(label),
        [
          { name: t('closureRate'), data: keys.map((k) => rate(groups[k]!.closureRate)) },
          { name: t('onTimeRate'), data: keys.map((k) => rate(groups[k]!.onTimeRate)) },
        ],
        { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      )}
    />
  );
});
