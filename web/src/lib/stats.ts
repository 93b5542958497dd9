/** Client-side maths for the Compare page (base-100 series and correlation of chosen coins). */

export interface Point {
  t: number;
  v: number;
}

/** Rebase a price series so its first value is 100: coins of any price compare on one axis. */
export function rebase100(points: Point[]): Point[] {
  const first = points.find((point) => point.v > 0);
  if (!first) return [];
  return points.map((point) => ({ t: point.t, v: (point.v / first.v) * 100 }));
}

/** Last close of each UTC day, in day order (the warehouse's definition of the daily close). */
export function dailyCloses(points: Point[]): Map<string, number> {
  const closes = new Map<string, { t: number; v: number }>();
  for (const point of points) {
    const day = new Date(point.t).toISOString().slice(0, 10);
    const seen = closes.get(day);
    if (!seen || point.t >= seen.t) closes.set(day, point);
  }
  return new Map(
    [...closes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, p]) => [d, p.v]),
  );
}

/** Daily log returns keyed by the day they end on. */
export function logReturns(closes: Map<string, number>): Map<string, number> {
  const returns = new Map<string, number>();
  let prev: number | null = null;
  for (const [day, close] of closes) {
    if (prev !== null && prev > 0 && close > 0) returns.set(day, Math.log(close / prev));
    prev = close;
  }
  return returns;
}

/** Pearson correlation over the days both series have; null when under 3 shared points. */
export function pearson(a: Map<string, number>, b: Map<string, number>): number | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [day, x] of a) {
    const y = b.get(day);
    if (y !== undefined) {
      xs.push(x);
      ys.push(y);
    }
  }
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** Total return of a series in percent. */
export function totalReturnPct(points: Point[]): number | null {
  const first = points[0]?.v;
  const last = points[points.length - 1]?.v;
  if (!first || last === undefined) return null;
  return (last / first - 1) * 100;
}
