import { Link } from "react-router-dom";
import { platformAlerts } from "../lib/platformStatus";
import { usePlatformStatus } from "../lib/PlatformStatusProvider";
import { useNow } from "../lib/useNow";

/** Ages creep without any event: the staleness warnings are re-read this often. */
const RECHECK_MS = 15_000;

/** Warns every page when a blocking check fails or a dataset is older than its schedule allows. */
export function PlatformBanner() {
  const status = usePlatformStatus();
  const now = useNow(RECHECK_MS);
  const alerts = platformAlerts(status, now);
  if (alerts.length === 0) return null;
  return (
    <div className="platform-banner" role="alert" data-testid="platform-banner">
      {alerts.map((alert) => (
        <p key={alert.kind === "stale" ? alert.dataset : alert.kind} data-alert={alert.kind}>
          {alert.text}
          {alert.kind === "checks" && (
            <>
              {" · "}
              <Link to="/quality">See the quality checks</Link>
            </>
          )}
        </p>
      ))}
    </div>
  );
}
