import { useEffect, useEffectEvent, useRef } from "react";
import { type ChartOption, echarts } from "./echarts";

interface ChartProps {
  option: ChartOption;
  height?: number | string;
  /** Shown to screen readers and used by the browser tests to find a chart. */
  label: string;
  onClick?: (params: { name?: string; data?: unknown }) => void;
  /** Grow to fill a `.card.fill` column; `height` becomes the minimum. */
  fill?: boolean;
}

let firstChartMarked = false;

/** Count the data points of every series ("-" is ECharts' empty item): a chart with none is an
 * empty chart. */
function countPoints(option: ChartOption): number {
  const series = (option as { series?: unknown }).series;
  const list = Array.isArray(series) ? series : series ? [series] : [];
  return list.reduce((sum: number, item) => {
    const data = (item as { data?: unknown[] }).data;
    return sum + (Array.isArray(data) ? data.filter((d) => d !== "-").length : 0);
  }, 0);
}

/** The laid-out items of one series, as ECharts keeps them after a render (not public API). */
interface RenderedData {
  count(): number;
  getItemLayout(index: number): unknown;
}
interface RenderedSeries {
  name: string;
  subType: string;
  getData(): RenderedData;
}

const finite = (point: unknown) =>
  Array.isArray(point) && point.length === 2 && point.every((v) => Number.isFinite(v));

/**
 * What each series drew, read from the chart's layout after a render: the items placed on the
 * canvas and, for candlesticks, those whose high and low lie at least a pixel apart (a body or
 * a wick, not a flat dash). The browser tests read it from `data-series`.
 */
export function renderedSeries(chart: echarts.ECharts) {
  const model = (chart as unknown as { getModel(): { getSeries(): RenderedSeries[] } }).getModel();
  return model.getSeries().map((series) => {
    const data = series.getData();
    let drawn = 0;
    let ranged = 0;
    for (let i = 0; i < data.count(); i += 1) {
      const layout = data.getItemLayout(i);
      if (series.subType === "candlestick") {
        const ends = (layout as { ends?: unknown[] } | undefined)?.ends;
        if (!ends || !ends.every(finite)) continue;
        drawn += 1;
        const [high, low] = [ends[4] as number[], ends[6] as number[]];
        if (Math.abs(high[1]! - low[1]!) >= 1) ranged += 1;
      } else if (finite(layout)) {
        drawn += 1;
      }
    }
    return { name: series.name, type: series.subType, drawn, ranged };
  });
}

/**
 * A thin ECharts wrapper: one instance per element, options replaced on change, resized with its
 * box. The first frame of the first chart with data sets the `cf:first-chart` performance mark
 * (time to first chart).
 */
export function Chart({ option, height = 320, label, onClick, fill = false }: ChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  // The newest onClick, without re-creating the chart when it changes.
  const handleClick = useEffectEvent((params: { name?: string; data?: unknown }) =>
    onClick?.(params),
  );

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const chart = echarts.init(element, null, { renderer: "canvas" });
    chartRef.current = chart;
    chart.on("click", (params) => handleClick(params as { name?: string; data?: unknown }));
    chart.on("rendered", () => {
      if (!firstChartMarked && countPoints(chart.getOption()) > 0) {
        firstChartMarked = true;
        performance.mark("cf:first-chart");
      }
    });
    chart.on("finished", () => {
      // Animations done: screenshots and tests wait for this rather than for a fixed time.
      element.dataset.series = JSON.stringify(renderedSeries(chart));
      element.dataset.rendered = "true";
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    if (!chartRef.current || !ref.current) return;
    ref.current.dataset.rendered = "false";
    chartRef.current.setOption(option, { notMerge: true, lazyUpdate: true });
  }, [option]);

  return (
    <div
      ref={ref}
      className="chart"
      role="img"
      aria-label={label}
      data-chart={label}
      data-points={countPoints(option)}
      style={fill ? { flex: 1, minHeight: height } : { height }}
    />
  );
}
