import { useMemo, useState } from "react";
import { api } from "../api";
import { Chart } from "../charts/Chart";
import { correlationHeatmapOption, rankedBarOption, riskReturnOption } from "../charts/options";
import { PageHead } from "../components/Layout";
import { AsyncView, Empty } from "../components/States";
import { type Period, PERIODS, Segmented } from "../components/Segmented";
import { formatDateTime } from "../lib/format";
import { useDataRevision } from "../lib/PlatformStatusProvider";
import { useAsync } from "../lib/useAsync";

export default function Analytics() {
  const [period, setPeriod] = useState<Period>(30);
  const revision = useDataRevision("analytics");
  const correlation = useAsync(
    (signal) => api.get("/api/v1/analytics/correlation", { query: { period }, signal }),
    [period],
    { revision },
  );
  const volatility = useAsync(
    (signal) => api.get("/api/v1/analytics/volatility", { query: { period }, signal }),
    [period],
    { revision },
  );

  const heatmap = useMemo(
    () => (correlation.data ? correlationHeatmapOption(correlation.data) : null),
    [correlation.data],
  );
  const charts = useMemo(() => {
    const rows = volatility.data?.data ?? [];
    const top = (key: "max_drawdown" | "volatility") =>
      rows
        .filter((r) => r[key] !== null)
        .sort((a, b) => (b[key] ?? 0) - (a[key] ?? 0))
        .slice(0, 20)
        .map((r) => ({ label: r.symbol.toUpperCase(), value: r[key]! }));
    return {
      scatter: riskReturnOption(rows),
      drawdown: rankedBarOption(top("max_drawdown"), { color: "#ef4444" }),
      volatility: rankedBarOption(top("volatility"), { color: "#818cf8" }),
    };
  }, [volatility.data]);

  const computedAt = correlation.data?.computed_at ?? volatility.data?.data[0]?.computed_at;

  return (
    <>
      <PageHead
        title="Analytics"
        subtitle={
          computedAt
            ? `Computed ${formatDateTime(computedAt)} UTC from daily log returns`
            : "Correlation, risk and return from daily log returns"
        }
        actions={<Segmented label="Period" value={period} onChange={setPeriod} options={PERIODS} />}
      />
      <div className="grid cols-2">
        <div className="card">
          <h2>Correlation heatmap (top 15 by market cap)</h2>
          <AsyncView state={correlation} height={440}>
            {(c) =>
              c.coins.length === 0 ? (
                <Empty>No correlations for this period yet.</Empty>
              ) : (
                <Chart option={heatmap!} height={440} label="Correlation heatmap" />
              )
            }
          </AsyncView>
        </div>
        <div className="card">
          <h2>Risk vs return</h2>
          <AsyncView state={volatility} height={440}>
            {(v) =>
              v.data.length === 0 ? (
                <Empty>No risk metrics for this period yet.</Empty>
              ) : (
                <Chart option={charts.scatter} height={440} label="Risk-return scatter" />
              )
            }
          </AsyncView>
        </div>
      </div>
      <div className="grid cols-2">
        <div className="card">
          <h2>Max drawdown (largest 20)</h2>
          <AsyncView state={volatility} height={420}>
            {(v) =>
              v.data.length === 0 ? (
                <Empty>No drawdowns yet.</Empty>
              ) : (
                <Chart option={charts.drawdown} height={420} label="Max drawdown bars" />
              )
            }
          </AsyncView>
        </div>
        <div className="card">
          <h2>Annualised volatility (highest 20)</h2>
          <AsyncView state={volatility} height={420}>
            {(v) =>
              v.data.length === 0 ? (
                <Empty>No volatility yet.</Empty>
              ) : (
                <Chart option={charts.volatility} height={420} label="Volatility bars" />
              )
            }
          </AsyncView>
        </div>
      </div>
    </>
  );
}
