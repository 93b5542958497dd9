import { useMemo, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { api, type Coin, type RiskMetrics } from "../api";
import { Chart } from "../charts/Chart";
import { palette } from "../charts/echarts";
import { base100Option } from "../charts/options";
import { CoinLink } from "../components/CoinLink";
import { DataTable } from "../components/DataTable";
import { PageHead } from "../components/Layout";
import { RiskHeadCells } from "../components/RiskHeadCells";
import { Empty, ErrorState, Loading } from "../components/States";
import { type Period, PERIODS, Segmented } from "../components/Segmented";
import { changeClass, formatFraction, formatNumber, formatPct, formatPrice } from "../lib/format";
import {
  dailyCloses,
  logReturns,
  pearson,
  type Point,
  rebase100,
  totalReturnPct,
} from "../lib/stats";
import { useDataRevision } from "../lib/PlatformStatusProvider";
import { useAsync } from "../lib/useAsync";

export const MAX_COMPARE = 5;
const DEFAULT_IDS = ["bitcoin", "ethereum", "solana"];

interface Series {
  coin: Coin;
  points: Point[];
  risk: RiskMetrics | undefined;
}

function correlationStyle(value: number | null) {
  if (value === null) return {};
  const alpha = Math.min(0.55, Math.abs(value) * 0.55);
  return {
    background: value >= 0 ? `rgba(99, 102, 241, ${alpha})` : `rgba(239, 68, 68, ${alpha})`,
  };
}

export default function Compare() {
  const [params, setParams] = useSearchParams();
  const [days, setDays] = useState<Period>(90);
  const [pick, setPick] = useState("");
  const ids = useMemo(() => {
    const raw = params.get("ids");
    const list = raw ? raw.split(",").filter(Boolean) : DEFAULT_IDS;
    return [...new Set(list)].slice(0, MAX_COMPARE);
  }, [params]);
  const setIds = (next: string[]) => setParams({ ids: next.join(",") }, { replace: true });
  const marketRevision = useDataRevision("market");
  const marketAndAnalyticsRevision = useDataRevision("market", "analytics");

  const universe = useAsync(
    (signal) => api.get("/api/v1/coins", { query: { per_page: 50 }, signal }),
    [],
    { revision: marketRevision },
  );
  const series = useAsync(
    async (signal): Promise<Series[]> =>
      Promise.all(
        ids.map(async (id) => {
          const [coin, history, analytics] = await Promise.all([
            api.get("/api/v1/coins/{coin_id}", { path: { coin_id: id }, signal }),
            api.get("/api/v1/coins/{coin_id}/history", {
              path: { coin_id: id },
              query: { days },
              signal,
            }),
            api.get("/api/v1/coins/{coin_id}/analytics", { path: { coin_id: id }, signal }),
          ]);
          return {
            coin,
            points: history.data
              .filter((p) => p.price_usd !== null)
              .map((p) => ({ t: Date.parse(p.ts), v: p.price_usd! })),
            risk: analytics.risk.find((r) => r.period_days === days),
          };
        }),
      ),
    [ids, days],
    { revision: marketAndAnalyticsRevision },
  );

  const option = useMemo(
    () =>
      series.data
        ? base100Option(
            series.data.map((s) => ({
              name: s.coin.symbol.toUpperCase(),
              points: rebase100(s.points),
            })),
          )
        : null,
    [series.data],
  );
  const correlations = useMemo(() => {
    const returns = series.data?.map((s) => logReturns(dailyCloses(s.points))) ?? [];
    return returns.map((a) => returns.map((b) => pearson(a, b)));
  }, [series.data]);

  const available = (universe.data?.data ?? []).filter((c) => !ids.includes(c.coin_id));

  return (
    <>
      <PageHead
        title="Compare"
        subtitle={`Up to ${MAX_COMPARE} coins on one base-100 scale.`}
        actions={<Segmented label="Time range" value={days} onChange={setDays} options={PERIODS} />}
      />
      <div className="card">
        <div className="toolbar">
          <div className="chips" data-testid="compare-chips">
            {ids.map((id, i) => (
              <span className="chip" key={id}>
                <span
                  className="swatch"
                  style={{ background: palette.series[i % palette.series.length] }}
                />
                {universe.data?.data.find((c) => c.coin_id === id)?.name ?? id}
                <button
                  type="button"
                  aria-label={`Remove ${id}`}
                  onClick={() => setIds(ids.filter((x) => x !== id))}
                >
                  ×
                </button>
              </span>
            ))}
          </div>
          <form
            className="toolbar"
            onSubmit={(e) => {
              e.preventDefault();
              if (pick && ids.length < MAX_COMPARE) setIds([...ids, pick]);
              setPick("");
            }}
          >
            <select
              aria-label="Coin to add"
              value={pick}
              onChange={(e) => setPick(e.target.value)}
              disabled={ids.length >= MAX_COMPARE}
            >
              <option value="">
                {ids.length >= MAX_COMPARE ? `Limit of ${MAX_COMPARE} reached` : "Add a coin…"}
              </option>
              {available.map((c) => (
                <option key={c.coin_id} value={c.coin_id}>
                  {c.name} ({c.symbol.toUpperCase()})
                </option>
              ))}
            </select>
            <button
              type="submit"
              className="btn small primary"
              disabled={!pick || ids.length >= MAX_COMPARE}
            >
              Add
            </button>
          </form>
        </div>
      </div>
      {ids.length === 0 ? (
        <div className="card">
          <Empty>Pick at least one coin to compare.</Empty>
        </div>
      ) : series.error ? (
        <div className="card">
          <ErrorState error={series.error} onRetry={series.reload} />
        </div>
      ) : !series.data || !option ? (
        <div className="card">
          <Loading height={360} />
        </div>
      ) : (
        <>
          <div className="card">
            <h2>Performance (base 100)</h2>
            <Chart option={option} height={360} label="Base-100 performance chart" />
          </div>
          <div className="grid cols-2">
            <div className="card">
              <h2>Metrics ({days}d)</h2>
              <DataTable
                testId="compare-metrics"
                head={
                  <>
                    <th>Coin</th>
                    <th className="num">Price</th>
                    <th className="num">Return</th>
                    <RiskHeadCells />
                  </>
                }
              >
                {series.data.map((s) => {
                  const ret = totalReturnPct(s.points);
                  return (
                    <tr key={s.coin.coin_id}>
                      <td>
                        <CoinLink id={s.coin.coin_id} symbol={s.coin.symbol} name={s.coin.name} />
                      </td>
                      <td className="num">{formatPrice(s.coin.price_usd)}</td>
                      <td className={`num ${changeClass(ret)}`}>{formatPct(ret)}</td>
                      <td className="num">{formatFraction(s.risk?.volatility)}</td>
                      <td className="num">{formatFraction(s.risk?.max_drawdown)}</td>
                      <td className="num">{formatNumber(s.risk?.sharpe_ratio)}</td>
                    </tr>
                  );
                })}
              </DataTable>
            </div>
            <div className="card">
              <h2>Pairwise correlation of daily returns</h2>
              <DataTable
                testId="compare-correlation"
                head={
                  <>
                    <th />
                    {series.data.map((s) => (
                      <th key={s.coin.coin_id} className="num">
                        {s.coin.symbol.toUpperCase()}
                      </th>
                    ))}
                  </>
                }
              >
                {series.data.map((row, i, all) => (
                  <tr key={row.coin.coin_id}>
                    <th>{row.coin.symbol.toUpperCase()}</th>
                    {all.map((col, j) => {
                      const value = correlations[i]?.[j] ?? null;
                      return (
                        <td key={col.coin.coin_id} className="num" style={correlationStyle(value)}>
                          {value === null ? "—" : value.toFixed(2)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </DataTable>
            </div>
          </div>
        </>
      )}
    </>
  );
}
