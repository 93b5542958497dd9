/**
 * The platform-status shapes of `GET /api/v1/status` (issue #14), written by hand until the API's
 * OpenAPI schema has them; then `index.ts` takes them from `schema.d.ts` and this file goes.
 */

export type Dataset = "market" | "ohlcv" | "analytics" | "quality" | "pipeline";

export interface DataVersion {
  dataset: Dataset;
  version: number;
  run_id: string;
  job_name: string;
  as_of: string | null;
  finished_at: string;
  stale_after_s: number | null;
  run_url: string;
}

export interface FailingCheck {
  check_name: string;
  table_name: string;
  status: "fail";
  description: string | null;
  run_id: string | null;
}

export interface PlatformStatus {
  versions: Record<Dataset, DataVersion | null>;
  failing_checks: FailingCheck[];
}

/** The status request, typed by hand while `paths` lacks it. */
export async function fetchPlatformStatus(signal: AbortSignal): Promise<PlatformStatus> {
  const response = await fetch("/api/v1/status", { signal, cache: "no-cache" });
  if (!response.ok) throw new Error(`status: HTTP ${response.status}`);
  return (await response.json()) as PlatformStatus;
}
