/**
 * Platform events: the `{"type": "event", ...}` frames of `/api/v1/ws/prices` that say a run
 * changed the served data, failed, or failed a check. Parsed and mapped to the dataset they
 * touch here, apart from the socket, so the rules are unit-tested.
 */
import type { DataVersion } from "../api";
import { parseJsonObject } from "./json";

/** The served datasets, each changed by one kind of run (the API's `cryptoflow.platform_events`). */
export type Dataset = "market" | "ohlcv" | "analytics" | "quality" | "pipeline";

export type PlatformEvent =
  | { kind: "data_version"; dataset: Dataset; version: DataVersion }
  | { kind: "run_failed"; run_id: string; job_name: string; message: string; run_url: string }
  | {
      kind: "check";
      check_name: string;
      table_name: string;
      status: "fail" | "warn";
      run_id: string;
      description: string | null;
    };

export const DATASETS: readonly Dataset[] = ["market", "ohlcv", "analytics", "quality", "pipeline"];

function isDataset(value: unknown): value is Dataset {
  return DATASETS.includes(value as Dataset);
}

function isVersion(value: unknown, dataset: Dataset): value is DataVersion {
  if (!value || typeof value !== "object") return false;
  const version = value as Record<string, unknown>;
  return (
    version.dataset === dataset &&
    typeof version.version === "number" &&
    typeof version.run_id === "string" &&
    (typeof version.as_of === "string" || version.as_of === null)
  );
}

/** Parse one event frame; anything else (price frames, malformed events) yields null. */
export function parseEvent(raw: string): PlatformEvent | null {
  const frame = parseJsonObject(raw);
  if (frame?.type !== "event") return null;
  switch (frame.kind) {
    case "data_version":
      return isDataset(frame.dataset) && isVersion(frame.version, frame.dataset)
        ? { kind: "data_version", dataset: frame.dataset, version: frame.version }
        : null;
    case "run_failed":
      return typeof frame.run_id === "string" && typeof frame.job_name === "string"
        ? (frame as unknown as PlatformEvent)
        : null;
    case "check":
      return typeof frame.check_name === "string" &&
        (frame.status === "fail" || frame.status === "warn")
        ? (frame as unknown as PlatformEvent)
        : null;
    default:
      return null;
  }
}

/**
 * The dataset whose pages an event makes out of date: a new version names its own; a failed run
 * adds to the run history; a check result changes the quality page.
 */
export function eventDataset(event: PlatformEvent): Dataset {
  switch (event.kind) {
    case "data_version":
      return event.dataset;
    case "run_failed":
      return "pipeline";
    case "check":
      return "quality";
  }
}
