/**
 * Live price state: a pure reducer over the WebSocket frames of `/api/v1/ws/prices`, kept apart
 * from the socket so its rules (ordering, direction of the last move) are unit-tested.
 */

import { parseJsonObject } from "./json";

export interface Tick {
  coin_id: string;
  symbol: string;
  price_usd: number;
  ts: string;
}

export type Direction = "up" | "down" | null;

export interface LivePrice {
  coinId: string;
  symbol: string;
  price: number;
  previous: number | null;
  direction: Direction;
  ts: string;
  /** Bumped on every accepted change so a view can replay its flash animation. */
  version: number;
}

export type LivePrices = Readonly<Record<string, LivePrice>>;

export type Frame = { type: "snapshot"; data: Tick[] } | { type: "ticks"; data: Tick[] };

function isTick(value: unknown): value is Tick {
  if (!value || typeof value !== "object") return false;
  const tick = value as Record<string, unknown>;
  return (
    typeof tick.coin_id === "string" &&
    typeof tick.symbol === "string" &&
    typeof tick.price_usd === "number" &&
    Number.isFinite(tick.price_usd) &&
    tick.price_usd > 0 &&
    typeof tick.ts === "string"
  );
}

/** Parse one frame; anything malformed yields null (a bad frame must not break the page). */
export function parseFrame(raw: string): Frame | null {
  const message = parseJsonObject(raw);
  if (message === null) return null;
  const { type, data } = message;
  if ((type !== "snapshot" && type !== "ticks") || !Array.isArray(data)) return null;
  return { type, data: data.filter(isTick) };
}

/** Apply a frame: newer ticks replace older ones; the direction compares with the last price. */
export function applyFrame(state: LivePrices, frame: Frame): LivePrices {
  if (frame.data.length === 0) return state;
  const next: Record<string, LivePrice> = { ...state };
  let changed = false;
  for (const tick of frame.data) {
    const current = next[tick.coin_id];
    if (current && Date.parse(tick.ts) < Date.parse(current.ts)) continue;
    if (current && current.price === tick.price_usd && current.ts === tick.ts) continue;
    const previous = current?.price ?? null;
    let direction: Direction = null;
    if (frame.type === "ticks" && previous !== null && previous !== tick.price_usd) {
      direction = tick.price_usd > previous ? "up" : "down";
    }
    next[tick.coin_id] = {
      coinId: tick.coin_id,
      symbol: tick.symbol,
      price: tick.price_usd,
      previous,
      direction,
      ts: tick.ts,
      version: (current?.version ?? 0) + 1,
    };
    changed = true;
  }
  return changed ? next : state;
}

/** Backoff for reconnecting the socket: 0.5 s doubling up to 15 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** Math.max(0, attempt));
}
