// Only what the charts use, so the ECharts chunk stays small; loaded on demand by the chart components.
import { BarChart, GaugeChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([GaugeChart, BarChart, GridComponent, TooltipComponent, SVGRenderer]);
export { echarts };
