import { describe, expect, it } from "vitest";
import { platformCheckStatus } from "./quality";

const check = (check_name: string, status: string) => ({
  check_name,
  status,
  description: `${check_name} ran`,
});

describe("platformCheckStatus", () => {
  it("lists the seven platform checks with their worst status across tables", () => {
    const rows = platformCheckStatus([
      check("schema_check", "pass"),
      check("schema_check", "warn"),
      check("schema_check", "pass"),
      check("freshness_check", "fail"),
      check("not_null_dim_coin_coin_id", "fail"),
    ]);
    expect(rows.map((r) => r.name)).toEqual([
      "freshness_check",
      "completeness_check",
      "schema_check",
      "anomaly_check",
      "referential_integrity_check",
      "ohlcv_consistency_check",
      "close_only_check",
    ]);
    expect(rows.find((r) => r.name === "schema_check")).toMatchObject({
      status: "warn",
      tables: 3,
    });
    expect(rows.find((r) => r.name === "freshness_check")?.status).toBe("fail");
    expect(rows.find((r) => r.name === "anomaly_check")).toMatchObject({ status: null, tables: 0 });
  });
});
