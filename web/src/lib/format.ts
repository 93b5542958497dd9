/** Number and time formatting shared by every page: one place decides how money looks. */

const DASH = "—";

function isNum(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Prices keep meaningful digits: $64,123.45, $0.6021, $0.00001834. */
export function formatPrice(value: number | null | undefined): string {
  if (!isNum(value)) return DASH;
  const abs = Math.abs(value);
  let digits = 2;
  if (abs > 0 && abs < 1) digits = Math.min(10, Math.max(4, 3 - Math.floor(Math.log10(abs))));
  return (
    (value < 0 ? "-$" : "$") +
    abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
  );
}

/** Large amounts in short form: $1.23T, $45.6B, $789.0M, $12.3K. */
export function formatCompactUsd(value: number | null | undefined): string {
  if (!isNum(value)) return DASH;
  const sign = value < 0 ? "-" : "";
  return `${sign}$${compact(Math.abs(value))}`;
}

export function formatCompact(value: number | null | undefined): string {
  if (!isNum(value)) return DASH;
  return (value < 0 ? "-" : "") + compact(Math.abs(value));
}

function compact(abs: number): string {
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [size, suffix] of units) {
    if (abs >= size) return `${(abs / size).toFixed(2)}${suffix}`;
  }
  return abs.toFixed(2);
}

/** A percentage already in percent units (24h change): +3.21%. */
export function formatPct(value: number | null | undefined, { sign = true } = {}): string {
  if (!isNum(value)) return DASH;
  const prefix = sign && value > 0 ? "+" : "";
  return `${prefix}${value.toFixed(2)}%`;
}

/** A fraction (volatility 0.55, drawdown 0.31) shown as a percentage. */
export function formatFraction(value: number | null | undefined, { sign = false } = {}): string {
  return isNum(value) ? formatPct(value * 100, { sign }) : DASH;
}

export function formatNumber(value: number | null | undefined, digits = 2): string {
  if (!isNum(value)) return DASH;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** How long ago, for run history and freshness: "42s ago", "5m ago", "3h ago", "2d ago". */
export function timeAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return DASH;
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return DASH;
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (!isNum(seconds)) return DASH;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${Math.round(seconds - minutes * 60)}s`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  return date.toLocaleString("en-US", {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone: "UTC",
  });
}

/** The clock time of an instant in UTC, 24-hour: "14:05". */
export function formatUtcTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  return date.toLocaleTimeString("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  });
}

/** Colour class for a signed change. */
export function changeClass(value: number | null | undefined): "up" | "down" | "flat" {
  if (!isNum(value) || value === 0) return "flat";
  return value > 0 ? "up" : "down";
}
