import { useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, ApiError, type CorrelatedCoin } from "../api";
import { Chart } from "../charts/Chart";
import { candlestickOption, priceLineOption } from "../charts/options";
import { Card } from "../components/Card";
import { CoinAvatar } from "../components/CoinAvatar";
import { CoinLink } from "../components/CoinLink";
import { DataTable } from "../components/DataTable";
import { Kpi } from "../components/Kpi";
import { RiskHeadCells } from "../components/RiskHeadCells";
import { AsyncView, Empty, ErrorState, Loading } from "../components/States";
import { type Period, PERIODS, Segmented } from "../components/Segmented";
import {
  changeClass,
  formatCompact,
  formatCompactUsd,
  formatFraction,
  formatNumber,
  formatPct,
  formatPrice,
} from "../lib/format";
import { useLivePrices } from "../lib/LivePricesProvider";
import { useDataRevision } from "../lib/PlatformStatusProvider";
import { useAsync } from "../lib/useAsync";

type View = "line" | "candles";
const RANGES: { value: number; label: string }[] = [{ value: 1, label: "24H" }, ...PERIODS];

function Correlated({ title, coins }: { title: string; coins: CorrelatedCoin[] }) {
  return (
    <div className="card">
      <h2>{title}</h2>
      {coins.length === 0 ? (
        <Empty>Not computed for this coin (correlations cover the top 15).</Empty>
      ) : (
        <ul className="movers">
          {coins.map((c) => (
            <li key={c.coin_id}>
              <CoinLink id={c.coin_id} symbol={c.symbol} name={c.name} />
              <span className={`num ${c.correlation >= 0 ? "up" : "down"}`}>
                {c.correlation.toFixed(2)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export default function CoinDetail() {
  const { id = "" } = useParams();
  const [view, setView] = useState<View>("line");
  const [days, setDays] = useState<number>(30);
  const [period, setPeriod] = useState<Period>(30);
  const live = useLivePrices().prices[id];
  const marketRevision = useDataRevision("market");
  const ohlcvRevision = useDataRevision("ohlcv");
  const analyticsRevision = useDataRevision("analytics");

  const coin = useAsync(
    (signal) => api.get("/api/v1/coins/{coin_id}", { path: { coin_id: id }, signal }),
    [id],
    { revision: marketRevision },
  );
  const history = useAsync(
    (signal) =>
      api.get("/api/v1/coins/{coin_id}/history", {
        path: { coin_id: id },
        query: { days },
        signal,
      }),
    [id, days],
    { enabled: view === "line", revision: marketRevision },
  );
  const ohlcv = useAsync(
    (signal) =>
      api.get("/api/v1/coins/{coin_id}/ohlcv", {
        path: { coin_id: id },
        query: { days: Math.max(days, 7) },
        signal,
      }),
    [id, days],
    { enabled: view === "candles", revision: ohlcvRevision },
  );
  const analytics = useAsync(
    (signal) =>
      api.get("/api/v1/coins/{coin_id}/analytics", {
        path: { coin_id: id },
        query: { period },
        signal,
      }),
    [id, period],
    { revision: analyticsRevision },
  );

  const lineOption = useMemo(
    () =>
      history.data
        ? priceLineOption(
            history.data.data
              .filter((p) => p.price_usd !== null)
              .map((p) => ({ t: Date.parse(p.ts), v: p.price_usd! })),
          )
        : null,
    [history.data],
  );
  const candleOption = useMemo(
    () => (ohlcv.data ? candlestickOption(ohlcv.data.data) : null),
    [ohlcv.data],
  );

  if (coin.error instanceof ApiError && coin.error.status === 404) {
    return (
      <Empty>
        No coin “{id}”. <Link to="/market">Back to the market</Link>
      </Empty>
    );
  }

  const chartState = view === "line" ? history : ohlcv;
  const option = view === "line" ? lineOption : candleOption;
  const pointCount = view === "line" ? (history.data?.count ?? 0) : (ohlcv.data?.count ?? 0);

  return (
    <AsyncView state={coin} height={300}>
      {(c) => (
        <>
          <div className="page-head">
            <div style={{ display: "flex", gap: 12, alignItems: "center" }}>
              <CoinAvatar id={c.coin_id} symbol={c.symbol} large />
              <div>
                <h1>
                  {c.name}{" "}
                  <span className="muted" style={{ fontSize: 15 }}>
                    {c.symbol.toUpperCase()}
                  </span>
                </h1>
                <p style={{ margin: 0 }} className="muted">
                  Rank #{c.market_cap_rank ?? "—"} · {c.category ?? "uncategorised"}
                </p>
              </div>
            </div>
            <div style={{ textAlign: "right" }}>
              <div className="kpi-value" data-testid="coin-price">
                {formatPrice(live?.price ?? c.price_usd)}
              </div>
              <div className={changeClass(c.price_change_24h_pct)}>
                {formatPct(c.price_change_24h_pct)} 24h
              </div>
            </div>
          </div>
          <div className="grid cols-4">
            <Kpi label="Market cap" value={formatCompactUsd(c.market_cap_usd)} />
            <Kpi label="Volume 24h" value={formatCompactUsd(c.volume_24h_usd)} />
            <Kpi
              label="Circulating supply"
              value={formatCompact(c.circulating_supply)}
              sub={<span className="muted">{c.symbol.toUpperCase()}</span>}
            />
            <Kpi
              label="Volume / cap"
              value={
                c.market_cap_usd && c.volume_24h_usd
                  ? formatPct((c.volume_24h_usd / c.market_cap_usd) * 100, { sign: false })
                  : "—"
              }
              sub={<span className="muted">turnover</span>}
            />
          </div>
          <Card
            title="Price"
            actions={
              <div className="toolbar">
                <Segmented
                  label="Chart type"
                  value={view}
                  onChange={setView}
                  options={[
                    { value: "line", label: "Line" },
                    { value: "candles", label: "Candles" },
                  ]}
                />
                <Segmented
                  label="Time range"
                  value={days}
                  onChange={setDays}
                  options={RANGES.map((r) => ({
                    ...r,
                    disabled: view === "candles" && r.value === 1,
                  }))}
                />
              </div>
            }
          >
            {chartState.error ? (
              <ErrorState error={chartState.error} onRetry={chartState.reload} />
            ) : !option ? (
              <Loading height={360} />
            ) : pointCount === 0 ? (
              <Empty>No price history in this range yet.</Empty>
            ) : (
              <Chart
                option={option}
                height={360}
                label={view === "line" ? "Price line chart" : "Candlestick chart"}
              />
            )}
          </Card>
          <div className="card-head" style={{ marginBottom: 0 }}>
            <h2 style={{ margin: 0 }}>Risk and correlation</h2>
            <div className="toolbar">
              <span className="muted">Correlation period</span>
              <Segmented
                label="Correlation period"
                value={period}
                onChange={setPeriod}
                options={PERIODS}
              />
            </div>
          </div>
          <div className="grid cols-3">
            <Card title="Risk metrics">
              <AsyncView state={analytics}>
                {(a) =>
                  a.risk.length === 0 ? (
                    <Empty>Risk metrics appear after the daily analytics run.</Empty>
                  ) : (
                    <DataTable
                      testId="risk-table"
                      head={
                        <>
                          <th>Period</th>
                          <RiskHeadCells />
                        </>
                      }
                    >
                      {a.risk.map((r) => (
                        <tr key={r.period_days}>
                          <td>{r.period_days}d</td>
                          <td className="num">{formatFraction(r.volatility)}</td>
                          <td className="num down">{formatFraction(r.max_drawdown)}</td>
                          <td className={`num ${changeClass(r.sharpe_ratio)}`}>
                            {formatNumber(r.sharpe_ratio)}
                          </td>
                        </tr>
                      ))}
                    </DataTable>
                  )
                }
              </AsyncView>
            </Card>
            <AsyncView state={analytics}>
              {(a) => (
                <>
                  <Correlated title="Most correlated" coins={a.most_correlated} />
                  <Correlated title="Least correlated" coins={a.least_correlated} />
                </>
              )}
            </AsyncView>
          </div>
        </>
      )}
    </AsyncView>
  );
}
