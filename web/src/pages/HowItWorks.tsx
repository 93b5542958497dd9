import { Fragment } from "react";
import { PageHead } from "../components/Layout";

function Flow({ steps }: { steps: { title: string; note: string }[] }) {
  return (
    <div className="flow">
      {steps.map((step, i) => (
        <Fragment key={step.title}>
          {i > 0 && (
            <span className="flow-arrow" aria-hidden="true">
              →
            </span>
          )}
          <div className="flow-step">
            <b>{step.title}</b>
            <small>{step.note}</small>
          </div>
        </Fragment>
      ))}
    </div>
  );
}

function TableBox({
  name,
  columns,
  fact = false,
}: {
  name: string;
  columns: string[];
  fact?: boolean;
}) {
  return (
    <div className={`table-box${fact ? " fact" : ""}`}>
      <b>{name}</b>
      <ul>
        {columns.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

export default function HowItWorks() {
  return (
    <>
      <PageHead
        title="How it works"
        subtitle="From an upstream price to a chart on this page, step by step."
      />
      <div className="card">
        <h2>Architecture</h2>
        <p className="muted">
          Two paths feed the platform. The batch path is orchestrated by Dagster: dlt loads
          CoinGecko (or the built-in market simulator when it is unreachable) into PostgreSQL, dbt
          models it into a star schema, and asset checks grade every table. The live path streams
          ticks through Redis to every open browser. FastAPI serves both, and this dashboard.
        </p>
        <h3>Batch (every 10 minutes)</h3>
        <Flow
          steps={[
            { title: "CoinGecko API", note: "markets, history, OHLC, global" },
            { title: "dlt", note: "rate-limited, retried, merged on keys" },
            { title: "PostgreSQL raw", note: "one table per endpoint" },
            { title: "dbt build", note: "staging → marts → analytics" },
            { title: "Materialized view", note: "refreshed concurrently" },
            { title: "FastAPI", note: "REST under /api/v1" },
          ]}
        />
        <h3 style={{ marginTop: 16 }}>Live</h3>
        <Flow
          steps={[
            { title: "Price feed", note: "public exchange stream or simulator" },
            { title: "Consumer", note: "normalises ticks, reconnects with backoff" },
            { title: "Redis", note: "PUBLISH + latest-price hash" },
            { title: "API WebSocket hub", note: "one subscription, fan-out, snapshot on connect" },
            { title: "Browser", note: "ticker and flashing prices" },
          ]}
        />
      </div>

      <div className="card">
        <h2>Lineage</h2>
        <p className="muted">
          In the Dagster UI every box below is an asset; the dlt tables are the upstream of the dbt
          sources, so the graph is one connected picture from the API call to the dashboard.
        </p>
        <Flow
          steps={[
            { title: "raw", note: "markets · market_chart · ohlc · global_market" },
            { title: "staging", note: "stg_* views: typed, renamed, deduplicated" },
            { title: "marts", note: "dim_coin · dim_time · fact_market_data · fact_daily_ohlcv" },
            { title: "analytics", note: "analytics_correlation · analytics_volatility" },
            { title: "mv_latest_market_data", note: "newest row per coin, unique index" },
          ]}
        />
        <p className="muted" style={{ marginTop: 12 }}>
          Schedules: ingest every 10 minutes, daily OHLCV at 03:00, analytics at 04:00 and quality
          checks hourly (UTC). A run-failure sensor records failures; every run lands in the
          Pipeline page with its duration and row counts.
        </p>
      </div>

      <div className="card">
        <h2>Star schema</h2>
        <div className="schema">
          <TableBox
            name="dim_coin"
            columns={["coin_id (pk)", "symbol", "name", "image_url", "market_cap_rank", "category"]}
          />
          <TableBox
            name="fact_market_data"
            fact
            columns={[
              "coin_id → dim_coin",
              "snapshot_at",
              "price_usd",
              "market_cap_usd",
              "volume_24h_usd",
              "price_change_24h_pct",
              "circulating_supply",
            ]}
          />
          <TableBox
            name="dim_time"
            columns={[
              "date_day (pk)",
              "year · quarter · month",
              "week · day_of_week",
              "is_weekend",
            ]}
          />
          <TableBox
            name="fact_daily_ohlcv"
            fact
            columns={[
              "coin_id → dim_coin",
              "date_day → dim_time",
              "open · high · low · close",
              "volume",
            ]}
          />
          <TableBox
            name="analytics_correlation"
            columns={["coin_a_id · coin_b_id", "period_days", "correlation", "computed_at"]}
          />
          <TableBox
            name="analytics_volatility"
            columns={[
              "coin_id",
              "period_days",
              "volatility · max_drawdown",
              "sharpe_ratio · computed_at",
            ]}
          />
        </div>
      </div>

      <div className="grid cols-2">
        <div className="card">
          <h2>Analytics formulas</h2>
          <p className="muted">
            Daily close = the last price of the UTC day. A period of N days uses the N most recent
            returns ending at the latest complete day; coins with fewer than N returns get no row.
          </p>
          <h3>Daily log return</h3>
          <code className="formula">rₜ = ln(closeₜ / closeₜ₋₁)</code>
          <h3>Annualised volatility</h3>
          <code className="formula">σ = stdev(r₁ … r_N, ddof = 1) × √365</code>
          <h3>Sharpe ratio</h3>
          <code className="formula">
            Sharpe = (mean(r) × 365 − risk-free rate) / σ (risk-free rate defaults to 0)
          </code>
          <h3>Maximum drawdown</h3>
          <code className="formula">
            MDD = max over t of (1 − closeₜ / max(close₀ … closeₜ)) — a positive fraction
          </code>
          <h3>Correlation</h3>
          <code className="formula">
            ρ(a, b) = Pearson(rᵃ, rᵇ) over the same N days (top 15 coins; 7 / 30 / 90 / 365 days)
          </code>
        </div>
        <div className="card">
          <h2>Quality checks</h2>
          <p className="muted">
            Every dbt test (unique, not null, relationships, accepted values, OHLC consistency, no
            negative prices) becomes a Dagster asset check, plus seven checks of our own:
          </p>
          <ul className="movers">
            <li>
              <b>Freshness</b>
              <span className="muted">newest snapshot is recent</span>
            </li>
            <li>
              <b>Completeness</b>
              <span className="muted">expected number of coins present</span>
            </li>
            <li>
              <b>Schema</b>
              <span className="muted">columns and types as contracted</span>
            </li>
            <li>
              <b>Anomaly</b>
              <span className="muted">price jumps by z-score</span>
            </li>
            <li>
              <b>Referential integrity</b>
              <span className="muted">facts point at known coins</span>
            </li>
            <li>
              <b>OHLCV consistency</b>
              <span className="muted">low ≤ open, close ≤ high; enough points for the grain</span>
            </li>
            <li>
              <b>Close-only days</b>
              <span className="muted">at most 10 % of the last 90 days without a range</span>
            </li>
          </ul>
          <p className="muted">
            Results are stored with each run and scored on the Quality page: a pass counts 1, a
            warning ½, a failure 0.
          </p>
        </div>
      </div>
    </>
  );
}
