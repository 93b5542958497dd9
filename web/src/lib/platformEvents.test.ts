import { describe, expect, it } from "vitest";
import { eventDataset, parseEvent } from "./platformEvents";

const version = {
  dataset: "market",
  version: 7,
  run_id: "run-7",
  job_name: "ingest_job",
  as_of: "2026-01-01T12:00:00Z",
  finished_at: "2026-01-01T12:00:05Z",
  stale_after_s: 1200,
  run_url: "http://dagster/runs/run-7",
};
const frame = (fields: object) => JSON.stringify({ type: "event", ...fields });

describe("parseEvent", () => {
  it("reads the three kinds of event", () => {
    expect(parseEvent(frame({ kind: "data_version", dataset: "market", version }))).toEqual({
      kind: "data_version",
      dataset: "market",
      version,
    });
    const failed = { kind: "run_failed", run_id: "r", job_name: "ingest_job", message: "boom" };
    expect(parseEvent(frame({ ...failed, run_url: "u" }))?.kind).toBe("run_failed");
    const check = { kind: "check", check_name: "completeness_check", table_name: "t" };
    expect(parseEvent(frame({ ...check, status: "fail", run_id: "r" }))?.kind).toBe("check");
  });
  it("rejects price frames, unknown kinds and malformed events", () => {
    expect(parseEvent(JSON.stringify({ type: "ticks", data: [] }))).toBeNull();
    expect(parseEvent("not json")).toBeNull();
    expect(parseEvent(frame({ kind: "gossip" }))).toBeNull();
    expect(parseEvent(frame({ kind: "data_version", dataset: "weather", version }))).toBeNull();
    // The version must be of the dataset the event names.
    expect(parseEvent(frame({ kind: "data_version", dataset: "ohlcv", version }))).toBeNull();
    expect(parseEvent(frame({ kind: "check", check_name: "c", status: "pass" }))).toBeNull();
  });
});

describe("eventDataset", () => {
  it("maps each event to the dataset whose pages it makes out of date", () => {
    const parse = (fields: object) => eventDataset(parseEvent(frame(fields))!);
    expect(parse({ kind: "data_version", dataset: "market", version })).toBe("market");
    const analytics = { ...version, dataset: "analytics" };
    expect(parse({ kind: "data_version", dataset: "analytics", version: analytics })).toBe(
      "analytics",
    );
    expect(parse({ kind: "run_failed", run_id: "r", job_name: "j", message: "m" })).toBe(
      "pipeline",
    );
    expect(parse({ kind: "check", check_name: "c", table_name: "t", status: "warn" })).toBe(
      "quality",
    );
  });
});
