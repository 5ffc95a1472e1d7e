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
