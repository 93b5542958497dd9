import { describe, expect, it } from "vitest";
import type { DataVersion, PlatformStatus } from "../api";
import type { Dataset } from "./platformEvents";
import { formatAge, isStale, platformAlerts } from "./platformStatus";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const MINUTE = 60_000;

function version(dataset: Dataset, ageMs: number, staleAfterS: number | null): DataVersion {
  return {
    dataset,
    version: 1,
    run_id: `run-${dataset}`,
    job_name: "job",
    as_of: new Date(NOW - ageMs).toISOString(),
    finished_at: new Date(NOW).toISOString(),
    stale_after_s: staleAfterS,
    run_url: "http://dagster/runs/x",
  };
}

function status(overrides: Partial<PlatformStatus> = {}): PlatformStatus {
  return {
    versions: {
      market: version("market", 5 * MINUTE, 1200),
      ohlcv: version("ohlcv", 20 * 60 * MINUTE, 172_800),
      analytics: version("analytics", 20 * 60 * MINUTE, 172_800),
      quality: version("quality", 30 * MINUTE, 7200),
      pipeline: version("pipeline", 50 * 60 * MINUTE, null),
    },
    failing_checks: [],
    ...overrides,
  };
}

describe("isStale", () => {
  it("is past stale_after_s of the data's own time, never for datasets without cadence", () => {
    expect(isStale(version("market", 20 * MINUTE, 1200), NOW)).toBe(false);
    expect(isStale(version("market", 21 * MINUTE, 1200), NOW)).toBe(true);
    expect(isStale(version("pipeline", 1e10, null), NOW)).toBe(false);
    expect(isStale({ ...version("market", 0, 1200), as_of: null }, NOW)).toBe(false);
  });
});

describe("formatAge", () => {
  it("speaks minutes, then hours, then days", () => {
    expect(formatAge(25 * 60)).toBe("25 min");
    expect(formatAge(119 * 60)).toBe("119 min");
    expect(formatAge(5 * 3600 + 59)).toBe("5 h");
    expect(formatAge(3 * 86_400)).toBe("3 days");
  });
});

describe("platformAlerts", () => {
  it("is quiet when everything is fresh and passing, or before the status arrives", () => {
    expect(platformAlerts(status(), NOW)).toEqual([]);
    expect(platformAlerts(null, NOW)).toEqual([]);
  });
  it("names the failing blocking checks and their tables", () => {
    const check = {
      check_name: "completeness_check",
      table_name: "marts.fact_market_data",
      status: "fail" as const,
      description: "49 of 50 coins",
      run_id: "r",
    };
    expect(platformAlerts(status({ failing_checks: [check] }), NOW)).toEqual([
      {
        kind: "checks",
        checks: [check],
        text: "Blocking check failing: completeness_check on marts.fact_market_data",
      },
    ]);
    const other = { ...check, check_name: "schema_check", table_name: "marts.dim_coin" };
    const [alert] = platformAlerts(status({ failing_checks: [check, other] }), NOW);
    expect(alert?.text).toBe(
      "2 blocking checks failing: completeness_check on marts.fact_market_data, " +
        "schema_check on marts.dim_coin",
    );
  });
  it("says how old each stale dataset is, after the checks", () => {
    const aged = status({
      failing_checks: [
        { check_name: "c", table_name: "t", status: "fail", description: null, run_id: null },
      ],
    });
    aged.versions.market = version("market", 25 * MINUTE, 1200);
    aged.versions.analytics = version("analytics", 3 * 24 * 60 * MINUTE, 172_800);
    expect(platformAlerts(aged, NOW).map((a) => a.text)).toEqual([
      "Blocking check failing: c on t",
      "Market data is 25 min old",
      "Analytics data is 3 days old",
    ]);
  });
  it("skips datasets that never ran", () => {
    const empty = status();
    empty.versions.market = null;
    expect(platformAlerts(empty, NOW)).toEqual([]);
  });
});
