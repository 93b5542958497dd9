/** Summaries of the data-quality check results for the Quality page. */
import type { QualityCheck } from "../api";

/** The platform's own checks (orchestration/quality/checks.py), beside the dbt tests. */
const PLATFORM_CHECKS: [string, string][] = [
  ["freshness_check", "Freshness"],
  ["completeness_check", "Completeness"],
  ["schema_check", "Schema"],
  ["anomaly_check", "Anomaly"],
  ["referential_integrity_check", "Referential integrity"],
  ["ohlcv_consistency_check", "OHLCV consistency"],
  ["close_only_check", "Close-only days"],
];
const SEVERITY: Record<string, number> = { pass: 0, warn: 1, fail: 2 };

/** One line per platform check: its worst status across the tables it covers. */
export function platformCheckStatus(
  checks: Pick<QualityCheck, "check_name" | "status" | "description">[],
) {
  return PLATFORM_CHECKS.map(([name, label]) => {
    const results = checks.filter((c) => c.check_name === name);
    const worst = results.reduce<string | null>(
      (acc, c) =>
        acc === null || (SEVERITY[c.status] ?? 0) > (SEVERITY[acc] ?? 0) ? c.status : acc,
      null,
    );
    return {
      name,
      label,
      status: worst,
      tables: results.length,
      description: results[0]?.description ?? null,
    };
  });
}
