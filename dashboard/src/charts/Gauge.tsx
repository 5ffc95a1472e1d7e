import { CHART_TEXT, echarts, ReactECharts, useGlyphs } from './echarts.ts';

/** A 0..100 % gauge (closure rate, on-time rate), big enough for the wall. */
export default function Gauge({ value, name, dark, height = 220 }: { value: number | null; name: string; dark?: boolean; height?: number }) {
  const v = value === null ? 0 : Math.round(value * 1000) / 10;
  if (!useGlyphs(name)) return <div style={{ height }} />;
  return (
    <ReactECharts
      echarts={echarts}
      style={{ height }}
      notMerge
      theme={dark ? 'dark' : undefined}
      option={{
        backgroundColor: 'transparent',
        textStyle: CHART_TEXT,
        series: [
          {
            type: 'gauge',
            min: 0,
            max: 100,
            progress: { show: true, width: 14 },
            axisLine: { lineStyle: { width: 14, color: value === null ? [[1, '#434343']] : [[0.8, '#cf1322'], [0.95, '#d48806'], [1, '#389e0d']] } },
            axisLabel: { show: false },
            splitLine: { show: false },
            axisTick: { show: false },
            pointer: { show: false },
            title: { offsetCenter: [0, '70%'], fontSize: height / 11, fontFamily: CHART_TEXT.fontFamily, color: dark ? '#e6f4ff' : '#1f1f1f' },
            detail: { valueAnimation: false, offsetCenter: [0, '5%'], fontSize: height / 6, fontWeight: 700, formatter: value === null ? '—' : '{value}%', color: dark ? '#fff' : '#1f1f1f' },
            data: [{ value: v, name }],
          },
        ],
      }}
    />
  );
}
