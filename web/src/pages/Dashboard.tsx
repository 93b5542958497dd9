import { useMemo } from "react";
import { useNavigate } from "react-router-dom";
import { api, type MarketMover } from "../api";
import { Chart } from "../charts/Chart";
import { treemapOption } from "../charts/options";
import { Card } from "../components/Card";
import { CoinLink } from "../components/CoinLink";
import { DataStamp } from "../components/DataStamp";
import { Kpi } from "../components/Kpi";
import { PageHead } from "../components/Layout";
import { AsyncView, Empty } from "../components/States";
import {
  changeClass,
  formatCompactUsd,
  formatDateTime,
  formatPct,
  formatPrice,
} from "../lib/format";
import { useDataRevision } from "../lib/PlatformStatusProvider";
import { useAsync } from "../lib/useAsync";

function Movers({ title, movers }: { title: string; movers: MarketMover[] }) {
  return (
    <div className="card" data-testid={`movers-${title.toLowerCase().replace(/\s+/g, "-")}`}>
      <h2>{title}</h2>
      {movers.length === 0 ? (
        <Empty>No movers yet.</Empty>
      ) : (
        <ul className="movers">
          {movers.map((m) => (
            <li key={m.coin_id}>
              <CoinLink id={m.coin_id} symbol={m.symbol} name={m.name} />
              <span className="num">
                <div>{formatPrice(m.price_usd)}</div>
                <div className={changeClass(m.price_change_24h_pct)}>
                  {formatPct(m.price_change_24h_pct)}
                </div>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export default function Dashboard() {
  const navigate = useNavigate();
  const revision = useDataRevision("market");
  const overview = useAsync((signal) => api.get("/api/v1/market/overview", { signal }), [], {
    revision,
  });
  const coins = useAsync(
    (signal) => api.get("/api/v1/coins", { query: { per_page: 50 }, signal }),
    [],
    { revision },
  );
  const treemap = useMemo(() => (coins.data ? treemapOption(coins.data.data) : null), [coins.data]);

  return (
    <>
      <PageHead
        title="Market overview"
        subtitle={
          overview.data?.snapshot_at
            ? `Latest snapshot ${formatDateTime(overview.data.snapshot_at)} UTC`
            : "The top 50 coins by market capitalisation"
        }
        actions={overview.data && <DataStamp data={overview.data} testId="kpis-as-of" />}
      />
      <AsyncView state={overview} height={110}>
        {(o) => (
          <div className="grid cols-4">
            <Kpi
              label="Total market cap"
              value={formatCompactUsd(o.total_market_cap_usd)}
              sub={
                <span className={changeClass(o.market_cap_change_24h_pct)}>
                  {formatPct(o.market_cap_change_24h_pct)} 24h
                </span>
              }
              testId="kpi-market-cap"
            />
            <Kpi
              label="24h volume"
              value={formatCompactUsd(o.total_volume_24h_usd)}
              sub={<span className="muted">across tracked coins</span>}
            />
            <Kpi
              label="BTC dominance"
              value={formatPct(o.btc_dominance_pct, { sign: false })}
              sub={<span className="muted">share of total cap</span>}
            />
            <Kpi
              label="Active coins"
              value={o.active_coins}
              sub={<span className="muted">in the latest snapshot</span>}
            />
          </div>
        )}
      </AsyncView>
      <div className="grid cols-3">
        <Card
          title="Market map"
          className="span-2 fill"
          actions={
            <span className="muted" style={{ fontSize: 12 }}>
              size = market cap · colour = 24h change
              {coins.data && (
                <>
                  {" · "}
                  <DataStamp data={coins.data} testId="treemap-as-of" />
                </>
              )}
            </span>
          }
        >
          <AsyncView state={coins} height={420}>
            {(list) =>
              list.data.length === 0 ? (
                <Empty>No market data yet: the first ingest has not run.</Empty>
              ) : (
                <Chart
                  option={treemap!}
                  height={420}
                  fill
                  label="Market treemap"
                  onClick={(p) => {
                    const id = (p.data as { coinId?: string } | undefined)?.coinId;
                    if (id) void navigate(`/coins/${id}`);
                  }}
                />
              )
            }
          </AsyncView>
        </Card>
        <div className="grid" style={{ alignContent: "start" }}>
          <AsyncView state={overview}>
            {(o) => (
              <>
                <Movers title="Top gainers" movers={o.top_gainers} />
                <Movers title="Top losers" movers={o.top_losers} />
              </>
            )}
          </AsyncView>
        </div>
      </div>
    </>
  );
}
