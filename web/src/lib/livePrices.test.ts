import { describe, expect, it } from "vitest";
import { applyFrame, type LivePrices, parseFrame, reconnectDelay } from "./livePrices";

const tick = (coin_id: string, price_usd: number, ts: string) => ({
  coin_id,
  symbol: coin_id.slice(0, 3),
  price_usd,
  ts,
});

describe("parseFrame", () => {
  it("accepts snapshots and tick batches, dropping malformed ticks", () => {
    const frame = parseFrame(
      JSON.stringify({
        type: "ticks",
        data: [
          tick("bitcoin", 1, "2026-01-01T00:00:00Z"),
          { coin_id: "x", price_usd: "1" },
          tick("eth", -1, "t"),
        ],
      }),
    );
    expect(frame?.type).toBe("ticks");
    expect(frame?.data.map((t) => t.coin_id)).toEqual(["bitcoin"]);
  });
  it("rejects other messages", () => {
    expect(parseFrame("not json")).toBeNull();
    expect(parseFrame(JSON.stringify({ type: "status", data: [] }))).toBeNull();
    expect(parseFrame(JSON.stringify({ type: "ticks", data: {} }))).toBeNull();
  });
});

describe("applyFrame", () => {
  const snapshot = applyFrame(
    {},
    { type: "snapshot", data: [tick("bitcoin", 100, "2026-01-01T00:00:00Z")] },
  );

  it("stores a snapshot without a direction", () => {
    expect(snapshot.bitcoin).toMatchObject({
      price: 100,
      direction: null,
      previous: null,
      version: 1,
    });
  });
  it("marks the direction of a new tick", () => {
    const up = applyFrame(snapshot, {
      type: "ticks",
      data: [tick("bitcoin", 101, "2026-01-01T00:00:01Z")],
    });
    expect(up.bitcoin).toMatchObject({ price: 101, previous: 100, direction: "up", version: 2 });
    const down = applyFrame(up, {
      type: "ticks",
      data: [tick("bitcoin", 99, "2026-01-01T00:00:02Z")],
    });
    expect(down.bitcoin?.direction).toBe("down");
  });
  it("ignores ticks older than what it has", () => {
    const stale = applyFrame(snapshot, {
      type: "ticks",
      data: [tick("bitcoin", 5, "2025-12-31T23:59:59Z")],
    });
    expect(stale).toBe(snapshot);
  });
  it("returns the same state when nothing changed (no re-render)", () => {
    const same: LivePrices = applyFrame(snapshot, {
      type: "snapshot",
      data: [tick("bitcoin", 100, "2026-01-01T00:00:00Z")],
    });
    expect(same).toBe(snapshot);
    expect(applyFrame(snapshot, { type: "ticks", data: [] })).toBe(snapshot);
  });
  it("does not mutate the previous state", () => {
    applyFrame(snapshot, { type: "ticks", data: [tick("bitcoin", 120, "2026-01-01T00:01:00Z")] });
    expect(snapshot.bitcoin?.price).toBe(100);
  });
});

describe("reconnectDelay", () => {
  it("backs off exponentially up to a cap", () => {
    expect(reconnectDelay(0)).toBe(500);
    expect(reconnectDelay(3)).toBe(4000);
    expect(reconnectDelay(20)).toBe(15000);
  });
});
