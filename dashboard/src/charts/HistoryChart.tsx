import { CHART_TEXT, echarts, ReactECharts } from './echarts.ts';

/**
 * A device's history of one field, readable for a daily reporter and a per-second one alike:
 * every bucket with data is a point (a lone reading between empty buckets shows as a dot, not
 * nothing), consecutive buckets join into a line, empty buckets are gaps, and the last value is
 * labelled. Zoom with the wheel or the slider.
 */
export default function HistoryChart({ points, name, lastLabel, dark }: { points: { tMs: number; value: number | null }[]; name: string; lastLabel: (v: string) => string; dark?: boolean }) {
  const data = points.map((p) => [p.tMs, p.value] as [number, number | null]);
  const last = [...data].reverse().find((p) => p[1] !== null);
  const sparse = data.filter((p) => p[1] !== null).length < 60;
  return (
    <ReactECharts
      echarts={echarts}
      style={{ height: 280 }}
      notMerge
      theme={dark ? 'dark' : undefined}
      option={{
        animation: false,
        textStyle: CHART_TEXT,
        grid: { left: 48, right: 56, top: 28, bottom: 48 },
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'time' },
        yAxis: { type: 'value', name, scale: true },
        dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
        series: [
          {
            type: 'line',
            name,
            // Points always where data is sparse (a lone bucket has no line to draw); gaps stay gaps.
            showSymbol: true,
            symbolSize: sparse ? 7 : 3,
            connectNulls: false,
            data,
            markPoint: last
              ? { symbol: 'pin', symbolSize: 38, data: [{ coord: last, value: lastLabel(String(Math.round(last[1]! * 10) / 10)) }], label: { fontSize: 10 } }
              : undefined,
          },
        ],
      }}
    />
  );
}
