import { describe, expect, it } from "vitest";
import {
  changeClass,
  formatCompactUsd,
  formatDuration,
  formatFraction,
  formatPct,
  formatPrice,
  formatUtcTime,
  timeAgo,
} from "./format";

describe("formatPrice", () => {
  it("keeps cents for prices above a dollar", () => {
    expect(formatPrice(64123.456)).toBe("$64,123.46");
    expect(formatPrice(1)).toBe("$1.00");
  });
  it("keeps significant digits for small prices", () => {
    expect(formatPrice(0.6021)).toBe("$0.6021");
    expect(formatPrice(0.000018345)).toBe("$0.00001835");
  });
  it("shows a dash for missing values", () => {
    expect(formatPrice(null)).toBe("—");
    expect(formatPrice(Number.NaN)).toBe("—");
  });
  it("signs negative amounts before the currency", () => {
    expect(formatPrice(-12.5)).toBe("-$12.50");
  });
});

describe("compact and percentages", () => {
  it("abbreviates large amounts", () => {
    expect(formatCompactUsd(2.41e12)).toBe("$2.41T");
    expect(formatCompactUsd(45.6e9)).toBe("$45.60B");
    expect(formatCompactUsd(999)).toBe("$999.00");
  });
  it("signs positive changes only when asked", () => {
    expect(formatPct(3.214)).toBe("+3.21%");
    expect(formatPct(-1.5)).toBe("-1.50%");
    expect(formatPct(52.3, { sign: false })).toBe("52.30%");
  });
  it("turns fractions into percentages", () => {
    expect(formatFraction(0.5512)).toBe("55.12%");
  });
  it("classifies the direction of a change", () => {
    expect(changeClass(1)).toBe("up");
    expect(changeClass(-0.1)).toBe("down");
    expect(changeClass(0)).toBe("flat");
    expect(changeClass(null)).toBe("flat");
  });
});

describe("time", () => {
  const now = Date.parse("2026-01-02T12:00:00Z");
  it("says how long ago", () => {
    expect(timeAgo("2026-01-02T11:59:30Z", now)).toBe("30s ago");
    expect(timeAgo("2026-01-02T11:55:00Z", now)).toBe("5m ago");
    expect(timeAgo("2026-01-02T09:00:00Z", now)).toBe("3h ago");
    expect(timeAgo("2025-12-29T12:00:00Z", now)).toBe("4d ago");
    expect(timeAgo(null, now)).toBe("—");
    expect(timeAgo("not a date", now)).toBe("—");
  });
  it("formats durations", () => {
    expect(formatDuration(0.25)).toBe("250 ms");
    expect(formatDuration(4.21)).toBe("4.2 s");
    expect(formatDuration(125)).toBe("2m 5s");
  });
});

describe("formatUtcTime", () => {
  it("is the 24-hour clock in UTC, whatever the offset written", () => {
    expect(formatUtcTime("2026-01-01T14:05:59Z")).toBe("14:05");
    expect(formatUtcTime("2026-01-01T00:30:00+02:00")).toBe("22:30");
    expect(formatUtcTime(null)).toBe("—");
  });
});
