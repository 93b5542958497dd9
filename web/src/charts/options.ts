/**
 * ECharts options built from API rows. Pure functions, so what each chart shows is unit-tested
 * without a browser.
 */
import type { Candle, Coin, CorrelationMatrix, PerformancePoint, VolatilityEntry } from "../api";
import { formatCompactUsd, formatFraction, formatPct, formatPrice } from "../lib/format";
import type { Point } from "../lib/stats";
import { axisStyle, baseTooltip, type ChartOption, palette } from "./echarts";

/** Red → grey → green for a 24h change, saturating at ±`limit` percent. */
export function changeColor(pct: number | null | undefined, limit = 8): string {
  const grey = [55, 65, 81];
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return `rgb(${grey.join(",")})`;
  const t = Math.min(1, Math.abs(pct) / limit);
  const target = pct >= 0 ? [22, 163, 74] : [220, 38, 38];
  const mix = grey.map((g, i) => Math.round(g + (target[i]! - g) * t));
  return `rgb(${mix.join(",")})`;
}

export const SHARPE_TIERS: { min: number; label: string; color: string }[] = [
  { min: 2, label: "Excellent (≥ 2)", color: "#22c55e" },
  { min: 1, label: "Good (1–2)", color: "#84cc16" },
  { min: 0, label: "Fair (0–1)", color: "#eab308" },
  { min: -1, label: "Poor (−1–0)", color: "#f97316" },
  { min: -Infinity, label: "Bad (< −1)", color: "#ef4444" },
];

/** The five-tier colour of a Sharpe ratio. */
export function sharpeTier(sharpe: number | null | undefined) {
  const value = sharpe ?? -Infinity;
  return SHARPE_TIERS.find((tier) => value >= tier.min) ?? SHARPE_TIERS[SHARPE_TIERS.length - 1]!;
}

export type TreemapCoin = Pick<
  Coin,
  "coin_id" | "symbol" | "name" | "market_cap_usd" | "price_change_24h_pct"
>;

export function treemapOption(coins: TreemapCoin[]): ChartOption {
  const data = coins
    .filter((coin) => (coin.market_cap_usd ?? 0) > 0)
    .map((coin) => ({
      name: coin.symbol.toUpperCase(),
      value: coin.market_cap_usd ?? 0,
      coinId: coin.coin_id,
      change: coin.price_change_24h_pct,
      fullName: coin.name,
      itemStyle: { color: changeColor(coin.price_change_24h_pct) },
    }));
  return {
    tooltip: {
      ...baseTooltip,
      formatter: (info: { data: { fullName: string; value: number; change: number | null } }) =>
        `<b>${info.data.fullName}</b><br/>Market cap ${formatCompactUsd(info.data.value)}<br/>24h ${formatPct(info.data.change)}`,
    },
    series: [
      {
        type: "treemap",
        data,
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        width: "100%",
        height: "100%",
        top: 0,
        left: 0,
        itemStyle: { borderColor: "#0b0f17", borderWidth: 2, gapWidth: 2 },
        label: {
          show: true,
          position: "inside",
          align: "center",
          verticalAlign: "middle",
          overflow: "truncate",
          formatter: (info: { name: string; data: { change: number | null } }) =>
            `{sym|${info.name}}\n{chg|${formatPct(info.data.change)}}`,
          rich: {
            sym: { fontSize: 13, fontWeight: 700, color: "#fff", lineHeight: 18, align: "center" },
            chg: { fontSize: 11, color: "rgba(255,255,255,0.85)", lineHeight: 15, align: "center" },
          },
        },
        upperLabel: { show: false },
      },
    ],
  };
}

const timeAxis = {
  type: "time",
  ...axisStyle,
  splitLine: { show: false },
};

const valueAxis = (formatter: (value: number) => string) => ({
  type: "value",
  scale: true,
  ...axisStyle,
  axisLabel: { ...axisStyle.axisLabel, formatter },
});

const grid = { left: 8, right: 16, top: 24, bottom: 8, containLabel: true };

export function priceLineOption(points: Point[], label = "Price"): ChartOption {
  const first = points[0]?.v ?? 0;
  const last = points[points.length - 1]?.v ?? 0;
  const color = last >= first ? palette.up : palette.down;
  return {
    grid,
    tooltip: { ...baseTooltip, trigger: "axis", valueFormatter: (v: number) => formatPrice(v) },
    xAxis: timeAxis,
    yAxis: valueAxis((v) => formatPrice(v)),
    series: [
      {
        type: "line",
        name: label,
        data: points.map((p) => [p.t, p.v]),
        showSymbol: false,
        lineStyle: { color, width: 2 },
        areaStyle: {
          color: {
            type: "linear",
            x: 0,
            y: 0,
            x2: 0,
            y2: 1,
            colorStops: [
              { offset: 0, color: `${color}55` },
              { offset: 1, color: `${color}00` },
            ],
          },
        },
      },
    ],
  };
}

/** A day with only its close (grain `daily_close`) has no range to draw a candle from. */
export const isCloseOnly = (candle: Pick<Candle, "grain">) => candle.grain === "daily_close";

/**
 * Candles stay readable: at most ~90 are in view at first, the slider reveals the rest. A
 * close-only day is never drawn as a candle (open = high = low = close would be a fake dash):
 * it is a dotted line of closes with a diamond marker, its own series "Close only".
 */
export function candlestickOption(candles: Candle[]): ChartOption {
  const zoomStart = candles.length > 90 ? 100 - (90 / candles.length) * 100 : 0;
  return {
    grid: { ...grid, bottom: 40 },
    tooltip: { ...baseTooltip, trigger: "axis", axisPointer: { type: "cross" } },
    legend: {
      show: candles.some(isCloseOnly),
      top: 0,
      right: 0,
      textStyle: { color: palette.muted, fontSize: 11 },
      data: ["OHLC", "Close only"],
    },
    xAxis: {
      type: "category",
      data: candles.map((c) => c.date_day),
      ...axisStyle,
      splitLine: { show: false },
    },
    yAxis: valueAxis((v) => formatPrice(v)),
    dataZoom: [
      { type: "inside", start: zoomStart },
      { type: "slider", start: zoomStart, height: 18, bottom: 8, borderColor: "transparent" },
    ],
    series: [
      {
        type: "candlestick",
        name: "OHLC",
        data: candles.map((c) => (isCloseOnly(c) ? "-" : [c.open, c.close, c.low, c.high])),
        itemStyle: {
          color: palette.up,
          color0: palette.down,
          borderColor: palette.up,
          borderColor0: palette.down,
        },
      },
      {
        type: "line",
        name: "Close only",
        data: candles.map((c) => (isCloseOnly(c) ? c.close : "-")),
        connectNulls: false,
        showSymbol: true,
        symbol: "diamond",
        symbolSize: 5,
        lineStyle: { color: palette.muted, width: 1, type: "dotted" },
        itemStyle: { color: palette.muted },
      },
    ],
  };
}

export function correlationHeatmapOption(matrix: CorrelationMatrix): ChartOption {
  const labels = matrix.coins.map((c) => c.symbol.toUpperCase());
  const data: [number, number, number | null][] = [];
  matrix.matrix.forEach((row, i) =>
    row.forEach((value, j) => data.push([j, i, value === null ? null : Number(value.toFixed(2))])),
  );
  return {
    grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
    tooltip: {
      ...baseTooltip,
      formatter: (info: { data: [number, number, number | null] }) => {
        const [x, y, v] = info.data;
        return `${labels[y]} × ${labels[x]}: <b>${v === null ? "n/a" : v.toFixed(2)}</b>`;
      },
    },
    xAxis: {
      type: "category",
      data: labels,
      ...axisStyle,
      axisLabel: { ...axisStyle.axisLabel, rotate: 45 },
      splitArea: { show: false },
    },
    yAxis: { type: "category", data: labels, ...axisStyle, inverse: true },
    visualMap: {
      min: -1,
      max: 1,
      calculable: false,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemHeight: 160,
      itemWidth: 12,
      text: ["+1", "−1"],
      textStyle: { color: palette.muted },
      inRange: { color: ["#ef4444", "#1f2937", "#6366f1"] },
    },
    series: [
      {
        type: "heatmap",
        name: "Correlation",
        data,
        label: {
          show: labels.length <= 15,
          color: "#e6eaf3",
          fontSize: 10,
          formatter: (p: { data: number[] }) =>
            p.data[2] === null ? "" : Number(p.data[2]).toFixed(2),
        },
        itemStyle: { borderColor: "#0b0f17", borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: "#fff", borderWidth: 1 } },
      },
    ],
  };
}

export function riskReturnOption(entries: VolatilityEntry[]): ChartOption {
  const caps = entries.map((e) => e.market_cap_usd ?? 0);
  const maxCap = Math.max(1, ...caps);
  const series = SHARPE_TIERS.map((tier) => ({
    type: "scatter",
    name: tier.label,
    itemStyle: { color: tier.color, opacity: 0.85, borderColor: "rgba(0,0,0,0.4)" },
    data: entries
      .filter(
        (e) =>
          e.volatility !== null &&
          e.annualized_return !== null &&
          sharpeTier(e.sharpe_ratio) === tier,
      )
      .map((e) => ({
        name: e.symbol.toUpperCase(),
        value: [
          e.volatility! * 100,
          e.annualized_return! * 100,
          e.market_cap_usd ?? 0,
          e.sharpe_ratio,
        ],
        symbolSize: 8 + 40 * Math.sqrt((e.market_cap_usd ?? 0) / maxCap),
      })),
  }));
  return {
    grid: { left: 28, right: 16, top: 40, bottom: 28, containLabel: true },
    legend: { top: 0, textStyle: { color: palette.muted }, itemWidth: 10, itemHeight: 10 },
    tooltip: {
      ...baseTooltip,
      formatter: (info: { name: string; value: number[] }) =>
        `<b>${info.name}</b><br/>Volatility ${info.value[0]!.toFixed(1)}%<br/>Return ${info.value[1]!.toFixed(1)}%<br/>Sharpe ${info.value[3] === null ? "—" : Number(info.value[3]).toFixed(2)}<br/>Cap ${formatCompactUsd(info.value[2])}`,
    },
    xAxis: {
      type: "value",
      name: "Annualised volatility %",
      nameLocation: "middle",
      nameGap: 24,
      nameTextStyle: { color: palette.muted },
      ...axisStyle,
    },
    yAxis: {
      type: "value",
      name: "Annualised return %",
      nameLocation: "middle",
      nameGap: 44,
      nameTextStyle: { color: palette.muted },
      ...axisStyle,
    },
    series: series.filter((s) => s.data.length > 0),
  };
}

/** Horizontal bars ranked by a metric (fractions shown as %). */
export function rankedBarOption(
  rows: { label: string; value: number }[],
  { color, percent = true }: { color: string; percent?: boolean },
): ChartOption {
  const sorted = [...rows].sort((a, b) => a.value - b.value);
  const fmt = (v: number) => (percent ? formatFraction(v) : v.toFixed(2));
  return {
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      ...baseTooltip,
      trigger: "axis",
      axisPointer: { type: "shadow" },
      valueFormatter: fmt,
    },
    xAxis: { type: "value", ...axisStyle, axisLabel: { ...axisStyle.axisLabel, formatter: fmt } },
    yAxis: {
      type: "category",
      data: sorted.map((r) => r.label),
      ...axisStyle,
      splitLine: { show: false },
    },
    series: [
      {
        type: "bar",
        data: sorted.map((r) => r.value),
        itemStyle: { color, borderRadius: [0, 4, 4, 0] },
        barMaxWidth: 14,
        label: {
          show: true,
          position: "right",
          color: palette.muted,
          fontSize: 10,
          formatter: (p: { value: number }) => fmt(p.value),
        },
      },
    ],
  };
}

export function donutOption(slices: { name: string; value: number }[]): ChartOption {
  const total = slices.reduce((sum, s) => sum + s.value, 0) || 1;
  const share = new Map(slices.map((s) => [s.name, (s.value / total) * 100]));
  return {
    tooltip: {
      ...baseTooltip,
      trigger: "item",
      valueFormatter: (v: number) => formatCompactUsd(v),
    },
    legend: {
      type: "scroll",
      orient: "vertical",
      right: 0,
      top: "middle",
      textStyle: { color: palette.muted },
      formatter: (name: string) => `${name}  ${(share.get(name) ?? 0).toFixed(1)}%`,
    },
    color: palette.series,
    series: [
      {
        type: "pie",
        radius: ["55%", "80%"],
        center: ["35%", "50%"],
        avoidLabelOverlap: true,
        label: { show: false },
        itemStyle: { borderColor: "#141b2b", borderWidth: 2 },
        data: slices,
      },
    ],
  };
}

export function performanceOption(points: PerformancePoint[]): ChartOption {
  return {
    grid,
    legend: { top: 0, right: 0, textStyle: { color: palette.muted } },
    tooltip: { ...baseTooltip, trigger: "axis", valueFormatter: (v: number) => formatPrice(v) },
    xAxis: {
      type: "category",
      data: points.map((p) => p.date_day),
      ...axisStyle,
      splitLine: { show: false },
    },
    yAxis: valueAxis((v) => formatCompactUsd(v)),
    series: [
      {
        type: "line",
        name: "Value",
        data: points.map((p) => p.value_usd),
        showSymbol: false,
        itemStyle: { color: palette.accent },
        lineStyle: { color: palette.accent, width: 2 },
        areaStyle: { color: "rgba(129, 140, 248, 0.15)" },
      },
      {
        type: "line",
        name: "Cost basis",
        data: points.map((p) => p.cost_basis_usd),
        showSymbol: false,
        itemStyle: { color: palette.muted },
        lineStyle: { color: palette.muted, width: 1.5, type: "dashed" },
      },
    ],
  };
}

export function base100Option(series: { name: string; points: Point[] }[]): ChartOption {
  return {
    grid: { ...grid, top: 36 },
    color: palette.series,
    legend: { top: 0, textStyle: { color: palette.muted } },
    tooltip: { ...baseTooltip, trigger: "axis", valueFormatter: (v: number) => v.toFixed(1) },
    xAxis: timeAxis,
    yAxis: valueAxis((v) => v.toFixed(0)),
    series: series.map((s) => ({
      type: "line",
      name: s.name,
      data: s.points.map((p) => [p.t, Number(p.v.toFixed(3))]),
      showSymbol: false,
      lineStyle: { width: 2 },
    })),
  };
}

export function qualityDonutOption(passed: number, warned: number, failed: number): ChartOption {
  return {
    tooltip: { ...baseTooltip, trigger: "item" },
    series: [
      {
        type: "pie",
        radius: ["62%", "85%"],
        label: { show: false },
        itemStyle: { borderColor: "#141b2b", borderWidth: 2 },
        data: [
          { name: "Passed", value: passed, itemStyle: { color: palette.up } },
          { name: "Warnings", value: warned, itemStyle: { color: "#f59e0b" } },
          { name: "Failed", value: failed, itemStyle: { color: palette.down } },
        ].filter((slice) => slice.value > 0),
      },
    ],
  };
}
