import { formatUtcTime } from "../lib/format";
import { useDataVersion } from "../lib/PlatformStatusProvider";

/** The header's "Data as of": the market data's own time, linking to the run that made it. */
export function DataAsOf() {
  const market = useDataVersion("market");
  if (!market?.as_of) return null;
  return (
    <a
      className="data-as-of"
      href={market.run_url}
      target="_blank"
      rel="noreferrer"
      title={`Made by run ${market.run_id} of ${market.job_name}`}
      data-testid="data-as-of"
      data-run-id={market.run_id}
    >
      Data as of {formatUtcTime(market.as_of)} UTC
    </a>
  );
}
