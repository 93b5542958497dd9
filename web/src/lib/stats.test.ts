import { describe, expect, it } from "vitest";
import { dailyCloses, logReturns, pearson, rebase100, totalReturnPct } from "./stats";

const day = (d: number, hour = 12) => Date.UTC(2026, 0, d, hour);

describe("rebase100", () => {
  it("starts every series at 100", () => {
    expect(
      rebase100([
        { t: 1, v: 50 },
        { t: 2, v: 75 },
      ]).map((p) => p.v),
    ).toEqual([100, 150]);
    expect(rebase100([])).toEqual([]);
  });
});

describe("daily closes and returns", () => {
  it("takes the last price of each UTC day", () => {
    const closes = dailyCloses([
      { t: day(1, 1), v: 10 },
      { t: day(1, 23), v: 11 },
      { t: day(2, 5), v: 12 },
    ]);
    expect([...closes.values()]).toEqual([11, 12]);
  });
  it("computes log returns", () => {
    const returns = logReturns(
      new Map([
        ["a", 100],
        ["b", 110],
        ["c", 99],
      ]),
    );
    expect(returns.get("b")).toBeCloseTo(Math.log(1.1), 12);
    expect(returns.get("c")).toBeCloseTo(Math.log(0.9), 12);
    expect(returns.has("a")).toBe(false);
  });
});

describe("pearson", () => {
  const a = new Map([
    ["1", 0.01],
    ["2", -0.02],
    ["3", 0.03],
    ["4", 0.0],
  ]);
  it("is 1 with itself and -1 with its negation", () => {
    expect(pearson(a, a)).toBeCloseTo(1, 12);
    expect(pearson(a, new Map([...a].map(([k, v]) => [k, -v])))).toBeCloseTo(-1, 12);
  });
  it("matches a hand computation on shared days only", () => {
    const b = new Map([
      ["1", 1],
      ["2", 2],
      ["3", 2],
      ["9", 100],
    ]);
    const x = [0.01, -0.02, 0.03];
    const y = [1, 2, 2];
    const mx = x.reduce((s, v) => s + v) / 3;
    const my = y.reduce((s, v) => s + v) / 3;
    const cov = x.reduce((s, v, i) => s + (v - mx) * (y[i]! - my), 0);
    const sx = Math.sqrt(x.reduce((s, v) => s + (v - mx) ** 2, 0));
    const sy = Math.sqrt(y.reduce((s, v) => s + (v - my) ** 2, 0));
    expect(pearson(a, b)).toBeCloseTo(cov / (sx * sy), 12);
  });
  it("is undefined for too few points or a flat series", () => {
    expect(pearson(new Map([["1", 1]]), new Map([["1", 2]]))).toBeNull();
    expect(
      pearson(
        a,
        new Map([
          ["1", 1],
          ["2", 1],
          ["3", 1],
        ]),
      ),
    ).toBeNull();
  });
});

describe("totalReturnPct", () => {
  it("compares last with first", () => {
    expect(
      totalReturnPct([
        { t: 1, v: 100 },
        { t: 2, v: 125 },
      ]),
    ).toBeCloseTo(25);
    expect(totalReturnPct([])).toBeNull();
  });
});
