import type { AnalyticsPeriod } from "../api";

export function Segmented<T extends string | number>({
  options,
  value,
  onChange,
  label,
}: {
  options: { value: T; label: string; disabled?: boolean }[];
  value: T;
  onChange: (value: T) => void;
  label: string;
}) {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {options.map((option) => (
        <button
          key={String(option.value)}
          type="button"
          aria-pressed={option.value === value}
          disabled={option.disabled}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}

/** The periods the warehouse computes analytics for: the API's `AnalyticsPeriod` (the dbt var
 * `analytics_periods`, through the OpenAPI schema). Each needs its label here. */
export type Period = AnalyticsPeriod;

const PERIOD_LABELS: Record<Period, string> = { 7: "7D", 30: "30D", 90: "90D", 365: "1Y" };

export const PERIODS: { value: Period; label: string }[] = Object.entries(PERIOD_LABELS).map(
  ([value, label]) => ({ value: Number(value) as Period, label }),
);
