/** A tiny inline SVG line: fifty of these on the Market page cost far less than fifty canvases. */
export function Sparkline({
  values,
  width = 120,
  height = 36,
}: {
  values: number[];
  width?: number;
  height?: number;
}) {
  if (values.length < 2) return <span className="muted">—</span>;
  const min = Math.min(...values);
  const max = Math.max(...values);
  // At least a 1% band, so a stablecoin's noise reads as the flat line it is.
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const span = Math.max(max - min, Math.abs(mean) * 0.01) || 1;
  const floor = (max + min) / 2 - span / 2;
  const step = width / (values.length - 1);
  const points = values
    .map(
      (v, i) =>
        `${(i * step).toFixed(1)},${(height - 2 - ((v - floor) / span) * (height - 4)).toFixed(1)}`,
    )
    .join(" ");
  const up = values[values.length - 1]! >= values[0]!;
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`7-day trend ${up ? "up" : "down"}`}
      data-points={values.length}
    >
      <polyline
        fill="none"
        stroke={up ? "var(--up)" : "var(--down)"}
        strokeWidth="1.5"
        points={points}
      />
    </svg>
  );
}
