/** ECharts with only the charts and components the dashboard uses (keeps the bundle lean). */
import * as charts from "echarts/charts";
import * as components from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

// Members of the namespaces, so the bundler still drops every chart and component not named here.
echarts.use([
  charts.BarChart,
  charts.CandlestickChart,
  charts.HeatmapChart,
  charts.LineChart,
  charts.PieChart,
  charts.ScatterChart,
  charts.TreemapChart,
  components.DataZoomComponent,
  components.GridComponent,
  components.LegendComponent,
  components.TooltipComponent,
  components.VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };
export type { EChartsCoreOption as ChartOption } from "echarts/core";

/** The dark palette used by every chart, so they read as one product. */
export const palette = {
  text: "#c9d1e3",
  muted: "#7c869c",
  grid: "rgba(148, 163, 184, 0.12)",
  up: "#22c55e",
  down: "#ef4444",
  accent: "#818cf8",
  series: ["#818cf8", "#22d3ee", "#f59e0b", "#f472b6", "#34d399", "#a78bfa", "#fb7185"],
  tooltipBg: "rgba(15, 20, 32, 0.96)",
};

export const baseTooltip = {
  backgroundColor: palette.tooltipBg,
  borderColor: "rgba(148, 163, 184, 0.25)",
  textStyle: { color: palette.text, fontSize: 12 },
};

export const axisStyle = {
  axisLine: { lineStyle: { color: palette.grid } },
  axisLabel: { color: palette.muted, fontSize: 11 },
  splitLine: { lineStyle: { color: palette.grid } },
};
