import { CHART_TEXT, echarts, ReactECharts } from './echarts.ts';

/** A device's history of one field: a line with zoom, gaps where no data. */
export default function HistoryChart({ points, name, dark }: { points: { tMs: number; value: number | null }[]; name: string; dark?: boolean }) {
  return (
    <ReactECharts
      echarts={echarts}
      style={{ height: 280 }}
      notMerge
      theme={dark ? 'dark' : undefined}
      option={{
        animation: false,
        textStyle: CHART_TEXT,
        grid: { left: 48, right: 16, top: 24, bottom: 48 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'time' },
        yAxis: { type: 'value', name, scale: true },
        dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
        series: [{ type: 'line', name, showSymbol: false, connectNulls: false, data: points.map((p) => [p.tMs, p.value]) }],
      }}
    />
  );
}
