/**
 * What the platform status means for a reader: how old each dataset is, and the warnings the
 * banner shows (blocking checks failing, data older than its schedule allows). Pure, so the
 * wording and thresholds are unit-tested.
 */
import type { DataVersion, FailingCheck, PlatformStatus } from "../api";
import { type Dataset, DATASETS } from "./platformEvents";

const LABEL: Record<Dataset, string> = {
  market: "Market data",
  ohlcv: "Candle data",
  analytics: "Analytics data",
  quality: "Quality results",
  pipeline: "Run history",
};

export type PlatformAlert =
  | { kind: "checks"; checks: FailingCheck[]; text: string }
  | { kind: "stale"; dataset: Dataset; text: string };

/** Seconds since the data's own time (`as_of`), never negative; null when the run has none. */
export function ageSeconds(version: DataVersion, now: number): number | null {
  return version.as_of === null ? null : Math.max(0, (now - Date.parse(version.as_of)) / 1000);
}

/** Older than twice its schedule's interval; datasets without a cadence never go stale. */
export function isStale(version: DataVersion, now: number): boolean {
  const age = ageSeconds(version, now);
  return age !== null && version.stale_after_s !== null && age > version.stale_after_s;
}

/** An age in the unit a reader thinks in: "25 min", "5 h", "3 days". */
export function formatAge(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

function checksText(checks: FailingCheck[]): string {
  const named = checks.map((c) => `${c.check_name} on ${c.table_name}`).join(", ");
  return checks.length === 1
    ? `Blocking check failing: ${named}`
    : `${checks.length} blocking checks failing: ${named}`;
}

/** The banner's warnings for a status at `now`: failing checks first, then each stale dataset. */
export function platformAlerts(status: PlatformStatus | null, now: number): PlatformAlert[] {
  if (!status) return [];
  const alerts: PlatformAlert[] = [];
  if (status.failing_checks.length > 0) {
    const checks = status.failing_checks;
    alerts.push({ kind: "checks", checks, text: checksText(checks) });
  }
  for (const dataset of DATASETS) {
    const version = status.versions[dataset];
    const age = version && isStale(version, now) ? ageSeconds(version, now) : null;
    if (age !== null) {
      alerts.push({ kind: "stale", dataset, text: `${LABEL[dataset]} is ${formatAge(age)} old` });
    }
  }
  return alerts;
}
