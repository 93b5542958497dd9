import { describe, expect, it } from "vitest";
import type { Candle, VolatilityEntry } from "../api";
import {
  candlestickOption,
  changeColor,
  correlationHeatmapOption,
  riskReturnOption,
  sharpeTier,
  type TreemapCoin,
  treemapOption,
} from "./options";

const coin = (coin_id: string, cap: number | null, change: number | null): TreemapCoin => ({
  coin_id,
  symbol: coin_id.slice(0, 3),
  name: coin_id,
  market_cap_usd: cap,
  price_change_24h_pct: change,
});

describe("changeColor", () => {
  it("is grey at zero and saturates at the limit", () => {
    expect(changeColor(0)).toBe("rgb(55,65,81)");
    expect(changeColor(8)).toBe("rgb(22,163,74)");
    expect(changeColor(-50)).toBe("rgb(220,38,38)");
    expect(changeColor(null)).toBe("rgb(55,65,81)");
  });
});

describe("sharpeTier", () => {
  it("puts ratios in five tiers", () => {
    expect([2.5, 1.2, 0.3, -0.5, -3, null].map((s) => sharpeTier(s).label.split(" ")[0])).toEqual([
      "Excellent",
      "Good",
      "Fair",
      "Poor",
      "Bad",
      "Bad",
    ]);
  });
});

describe("treemapOption", () => {
  it("sizes by market cap, colours by change, and skips coins without a cap", () => {
    const option = treemapOption([coin("bitcoin", 100, 8), coin("dead", null, 1)]) as {
      series: { data: { value: number; coinId: string; itemStyle: { color: string } }[] }[];
    };
    expect(option.series[0]!.data).toHaveLength(1);
    expect(option.series[0]!.data[0]).toMatchObject({
      value: 100,
      coinId: "bitcoin",
      itemStyle: { color: "rgb(22,163,74)" },
    });
  });
});

describe("correlationHeatmapOption", () => {
  it("emits one cell per matrix entry", () => {
    const option = correlationHeatmapOption({
      period_days: 30,
      computed_at: null,
      coins: [
        { coin_id: "a", symbol: "a", name: "A" },
        { coin_id: "b", symbol: "b", name: "B" },
      ],
      matrix: [
        [1, 0.123],
        [0.123, 1],
      ],
    }) as { series: { data: unknown[] }[] };
    expect(option.series[0]!.data).toEqual([
      [0, 0, 1],
      [1, 0, 0.12],
      [0, 1, 0.12],
      [1, 1, 1],
    ]);
  });
});

describe("riskReturnOption", () => {
  it("groups coins by Sharpe tier with bubbles growing with cap", () => {
    const entry = (coin_id: string, cap: number, sharpe: number): VolatilityEntry => ({
      coin_id,
      symbol: coin_id,
      name: coin_id,
      image_url: null,
      market_cap_usd: cap,
      period_days: 30,
      volatility: 0.5,
      max_drawdown: 0.1,
      sharpe_ratio: sharpe,
      annualized_return: 0.2,
      computed_at: null,
    });
    const option = riskReturnOption([
      entry("big", 100, 2.5),
      entry("small", 1, 2.1),
      entry("bad", 50, -2),
    ]) as {
      series: { name: string; data: { name: string; symbolSize: number }[] }[];
    };
    expect(option.series.map((s) => s.data.length)).toEqual([2, 1]);
    const [big, small] = option.series[0]!.data;
    expect(big!.symbolSize).toBeGreaterThan(small!.symbolSize);
  });
});

describe("candlestickOption", () => {
  const day = (date_day: string, grain: Candle["grain"], close: number): Candle => ({
    date_day,
    open: close - 1,
    high: close + 2,
    low: close - 2,
    close,
    volume: null,
    grain,
    points: grain === "daily_close" ? 1 : 24,
  });

  it("draws close-only days on their own line, never as a candle", () => {
    const option = candlestickOption([
      day("2026-01-01", "daily_close", 10),
      day("2026-01-02", "daily_close", 11),
      day("2026-01-03", "hourly", 12),
    ]) as { series: { name: string; data: unknown[] }[]; legend: { show: boolean } };
    const [candles, closes] = option.series;
    expect(candles!.name).toBe("OHLC");
    expect(candles!.data).toEqual(["-", "-", [11, 12, 10, 14]]);
    expect(closes!.name).toBe("Close only");
    expect(closes!.data).toEqual([10, 11, "-"]);
    expect(option.legend.show).toBe(true);
  });

  it("has no close-only legend when every day is a candle", () => {
    const option = candlestickOption([day("2026-01-03", "hourly", 12)]) as {
      legend: { show: boolean };
    };
    expect(option.legend.show).toBe(false);
  });
});
