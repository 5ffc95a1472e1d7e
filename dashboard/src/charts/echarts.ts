/**
 * ECharts, only the parts the screens use (tree-shaken core + canvas renderer). Imported only
 * from lazily loaded components, so it lands in its own chunk, off the initial load.
 */
import * as echarts from 'echarts/core';
import { GaugeChart, LineChart, BarChart, PieChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, DataZoomComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([GaugeChart, LineChart, BarChart, PieChart, GridComponent, TooltipComponent, DataZoomComponent, LegendComponent, TitleComponent, CanvasRenderer]);

export { echarts };
export { default as ReactECharts } from 'echarts-for-react/lib/core';

import { useEffect, useState } from 'react';
import { FONT_FAMILY } from '../theme.ts';

/** Every chart's text in the app's face (canvas text does not inherit CSS). */
export const CHART_TEXT = { fontFamily: FONT_FAMILY };

/**
 * Canvas text is drawn once: wait until the glyphs of `text` are loaded (the CJK face comes in
 * unicode-range pieces, fetched on first use), so no chart is drawn with empty boxes.
 */
export function useGlyphs(text: string): boolean {
  const [ready, setReady] = useState<string | null>(null);
  useEffect(() => {
    let on = true;
    // Ready for THIS text: labels that change later (ids, then the site's names) wait again.
    const done = () => on && setReady(text);
    if (!document.fonts?.load) done();
    else Promise.all([document.fonts.load(`14px 'Noto Sans SC'`, text), document.fonts.load(`bold 14px 'Noto Sans SC'`, text)]).then(done, done);
    return () => {
      on = false;
    };
  }, [text]);
  return ready === text;
}

/** The option of a grouped bar chart (the reports' KPI charts): one category per group, one series per figure. */
export function groupedBarsOption(title: string, categories: string[], series: { name: string; data: (number | null)[] }[], yAxis: Record<string, unknown> = { type: 'value' }) {
  return {
    backgroundColor: 'transparent',
    animation: false,
    textStyle: CHART_TEXT,
    title: { text: title, textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'axis' },
    legend: { top: 20, left: 0, textStyle: { fontSize: 11 }, itemWidth: 14, itemHeight: 8 },
    grid: { left: 48, right: 8, top: 48, bottom: 24 },
    xAxis: { type: 'category', data: categories, axisLabel: { fontSize: 10, interval: 0 } },
    yAxis,
    series: series.map((s) => ({ type: 'bar', ...s })),
  };
}
