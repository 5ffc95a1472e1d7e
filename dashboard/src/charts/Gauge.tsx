import { echarts, ReactECharts } from './echarts.ts';

/** A 0..100 % gauge (closure rate, on-time rate), big enough for the wall. */
export default function Gauge({ value, name, dark, height = 220 }: { value: number | null; name: string; dark?: boolean; height?: number }) {
  const v = value === null ? 0 : Math.round(value * 1000) / 10;
  return (
    <ReactECharts
      echarts={echarts}
      style={{ height }}
      theme={dark ? 'dark' : undefined}
      option={{
        backgroundColor: 'transparent',
        series: [
          {
            type: 'gauge',
            min: 0,
            max: 100,
            progress: { show: true, width: 14 },
            axisLine: { lineStyle: { width: 14, color: [[0.8, '#cf1322'], [0.95, '#d48806'], [1, '#389e0d']] } },
            axisLabel: { show: false },
            splitLine: { show: false },
            axisTick: { show: false },
            pointer: { show: false },
            title: { offsetCenter: [0, '70%'], fontSize: height / 12, color: dark ? '#e6f4ff' : '#1f1f1f' },
            detail: { valueAnimation: false, offsetCenter: [0, '5%'], fontSize: height / 6, fontWeight: 700, formatter: value === null ? '—' : '{value}%', color: dark ? '#fff' : '#1f1f1f' },
            data: [{ value: v, name }],
          },
        ],
      }}
    />
  );
}
