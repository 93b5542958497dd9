import { type FormEvent, useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { api, type Coin, type Holding } from "../api";
import { Chart } from "../charts/Chart";
import { donutOption, performanceOption } from "../charts/options";
import { Card } from "../components/Card";
import { CoinLink } from "../components/CoinLink";
import { DataTable } from "../components/DataTable";
import { Kpi } from "../components/Kpi";
import { PageHead } from "../components/Layout";
import { AsyncView, Empty, Loading } from "../components/States";
import { type Period, PERIODS, Segmented } from "../components/Segmented";
import { useAuth } from "../lib/AuthProvider";
import { changeClass, formatNumber, formatPct, formatPrice } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { type Errors, parseDecimal, validateHolding } from "../lib/validation";

interface Draft {
  coinId: string;
  quantity: string;
  buyPrice: string;
  notes: string;
}
const EMPTY: Draft = { coinId: "", quantity: "", buyPrice: "", notes: "" };

function HoldingForm({
  coins,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  coins: Coin[];
  initial: Draft;
  submitLabel: string;
  onSubmit: (draft: Draft) => Promise<void>;
  onCancel?: () => void;
}) {
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<Errors<keyof Draft>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof Draft, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  // A labelled text input of the draft, with its validation message; ids are `<submitLabel>-<id>`.
  const textField = (
    key: Exclude<keyof Draft, "coinId">,
    id: string,
    label: string,
    placeholder: string,
    inputMode?: "decimal",
  ) => (
    <div className="field">
      <label htmlFor={`${submitLabel}-${id}`}>{label}</label>
      <input
        id={`${submitLabel}-${id}`}
        inputMode={inputMode}
        value={draft[key]}
        aria-invalid={Boolean(errors[key])}
        onChange={(e) => set(key, e.target.value)}
        placeholder={placeholder}
      />
      {errors[key] && <span className="field-error">{errors[key]}</span>}
    </div>
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateHolding(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setServerError(null);
    try {
      await onSubmit(draft);
      if (!onCancel) setDraft(EMPTY);
    } catch (err) {
      setServerError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form-grid inline" onSubmit={submit} noValidate aria-label={submitLabel}>
      <div className="field">
        <label htmlFor={`${submitLabel}-coin`}>Coin</label>
        <select
          id={`${submitLabel}-coin`}
          value={draft.coinId}
          aria-invalid={Boolean(errors.coinId)}
          onChange={(e) => {
            const coin = coins.find((c) => c.coin_id === e.target.value);
            setDraft((d) => ({
              ...d,
              coinId: e.target.value,
              buyPrice:
                d.buyPrice ||
                (coin?.price_usd ? String(Number(coin.price_usd.toPrecision(8))) : ""),
            }));
          }}
        >
          <option value="">Choose…</option>
          {coins.map((c) => (
            <option key={c.coin_id} value={c.coin_id}>
              {c.name} ({c.symbol.toUpperCase()})
            </option>
          ))}
        </select>
        {errors.coinId && <span className="field-error">{errors.coinId}</span>}
      </div>
      {textField("quantity", "qty", "Quantity", "0.5", "decimal")}
      {textField("buyPrice", "price", "Buy price (USD)", "58000", "decimal")}
      {textField("notes", "notes", "Notes", "optional")}
      <div className="toolbar">
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="btn ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      {serverError && (
        <div className="alert" role="alert" style={{ gridColumn: "1 / -1" }}>
          {serverError}
        </div>
      )}
    </form>
  );
}

function toPayload(draft: Draft) {
  return {
    coin_id: draft.coinId,
    quantity: parseDecimal(draft.quantity)!,
    buy_price_usd: parseDecimal(draft.buyPrice, { allowZero: true })!,
    notes: draft.notes.trim() || null,
  };
}

function HoldingRow({
  holding,
  coins,
  onChanged,
}: {
  holding: Holding;
  coins: Coin[];
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (editing) {
    return (
      <tr>
        <td colSpan={8}>
          <HoldingForm
            coins={coins}
            submitLabel="Save"
            initial={{
              coinId: holding.coin_id,
              quantity: String(holding.quantity),
              buyPrice: String(holding.buy_price_usd),
              notes: holding.notes ?? "",
            }}
            onCancel={() => setEditing(false)}
            onSubmit={async (draft) => {
              await api.put("/api/v1/portfolio/holdings/{holding_id}", {
                path: { holding_id: holding.id },
                body: toPayload(draft),
              });
              setEditing(false);
              onChanged();
            }}
          />
        </td>
      </tr>
    );
  }
  return (
    <tr data-holding={holding.coin_id}>
      <td>
        <CoinLink
          id={holding.coin_id}
          symbol={holding.symbol ?? holding.coin_id}
          name={holding.name ?? holding.coin_id}
        />
        {holding.notes && (
          <div className="muted" style={{ fontSize: 12 }}>
            {holding.notes}
          </div>
        )}
      </td>
      <td className="num">{formatNumber(holding.quantity, 8)}</td>
      <td className="num hide-sm">{formatPrice(holding.buy_price_usd)}</td>
      <td className="num hide-sm">{formatPrice(holding.current_price_usd)}</td>
      <td className="num">{formatPrice(holding.value_usd)}</td>
      <td className={`num ${changeClass(holding.pnl_usd)}`}>{formatPrice(holding.pnl_usd)}</td>
      <td className={`num ${changeClass(holding.pnl_pct)}`}>{formatPct(holding.pnl_pct)}</td>
      <td className="num">
        <div className="toolbar" style={{ justifyContent: "flex-end" }}>
          <button type="button" className="btn small" onClick={() => setEditing(true)}>
            Edit
          </button>
          {confirming ? (
            <button
              type="button"
              className="btn small danger"
              onClick={async () => {
                try {
                  await api.delete("/api/v1/portfolio/holdings/{holding_id}", {
                    path: { holding_id: holding.id },
                  });
                  onChanged();
                } catch (err) {
                  setError((err as Error).message);
                  setConfirming(false);
                }
              }}
            >
              Confirm delete
            </button>
          ) : (
            <button type="button" className="btn small danger" onClick={() => setConfirming(true)}>
              Delete
            </button>
          )}
        </div>
        {error && <div className="field-error">{error}</div>}
      </td>
    </tr>
  );
}

function PortfolioBody() {
  const [days, setDays] = useState<Period>(30);
  const coins = useAsync(
    (signal) => api.get("/api/v1/coins", { query: { per_page: 50 }, signal }),
    [],
  );
  const summary = useAsync((signal) => api.get("/api/v1/portfolio", { signal }), []);
  const holdings = useAsync((signal) => api.get("/api/v1/portfolio/holdings", { signal }), []);
  const performance = useAsync(
    (signal) => api.get("/api/v1/portfolio/performance", { query: { days }, signal }),
    [days],
  );
  // After a change to the holdings, everything derived from them loads again.
  const refresh = () => {
    summary.reload();
    holdings.reload();
    performance.reload();
  };
  const coinList = coins.data?.data ?? [];

  const allocation = useMemo(
    () =>
      summary.data
        ? donutOption(
            summary.data.allocation.map((s) => ({
              name: (s.symbol ?? s.coin_id).toUpperCase(),
              value: s.value_usd,
            })),
          )
        : null,
    [summary.data],
  );
  const perfOption = useMemo(
    () => (performance.data ? performanceOption(performance.data.data) : null),
    [performance.data],
  );

  return (
    <>
      <AsyncView state={summary} height={110}>
        {(s) => (
          <div className="grid cols-4">
            <Kpi
              label="Total value"
              value={formatPrice(s.total_value_usd)}
              testId="portfolio-value"
            />
            <Kpi label="Cost basis" value={formatPrice(s.total_cost_usd)} />
            <Kpi
              label="Profit / loss"
              value={<span className={changeClass(s.pnl_usd)}>{formatPrice(s.pnl_usd)}</span>}
            />
            <Kpi
              label="Return"
              value={<span className={changeClass(s.pnl_pct)}>{formatPct(s.pnl_pct)}</span>}
              sub={<span className="muted">{s.holdings_count} holdings</span>}
            />
          </div>
        )}
      </AsyncView>
      <div className="grid cols-3">
        <div className="card">
          <h2>Allocation</h2>
          <AsyncView state={summary}>
            {(s) =>
              s.allocation.length === 0 ? (
                <Empty>Nothing allocated yet.</Empty>
              ) : (
                <Chart option={allocation!} height={280} label="Allocation donut" />
              )
            }
          </AsyncView>
        </div>
        <Card
          title="Performance"
          className="span-2"
          actions={
            <Segmented
              label="Performance range"
              value={days}
              onChange={setDays}
              options={PERIODS}
            />
          }
        >
          <AsyncView state={performance}>
            {(p) =>
              p.data.length === 0 ? (
                <Empty>Performance appears once you hold a coin.</Empty>
              ) : (
                <Chart option={perfOption!} height={280} label="Portfolio performance chart" />
              )
            }
          </AsyncView>
        </Card>
      </div>
      <div className="card">
        <h2>Add a holding</h2>
        {coins.data ? (
          <HoldingForm
            coins={coinList}
            initial={EMPTY}
            submitLabel="Add holding"
            onSubmit={async (draft) => {
              await api.post("/api/v1/portfolio/holdings", { body: toPayload(draft) });
              refresh();
            }}
          />
        ) : (
          <Loading />
        )}
      </div>
      <div className="card">
        <h2>Holdings</h2>
        <AsyncView state={holdings}>
          {(h) =>
            h.data.length === 0 ? (
              <Empty>No holdings yet: add your first one above.</Empty>
            ) : (
              <DataTable
                testId="holdings-table"
                head={
                  <>
                    <th>Coin</th>
                    <th className="num">Quantity</th>
                    <th className="num hide-sm">Buy price</th>
                    <th className="num hide-sm">Price</th>
                    <th className="num">Value</th>
                    <th className="num">P&amp;L</th>
                    <th className="num">P&amp;L %</th>
                    <th />
                  </>
                }
              >
                {h.data.map((holding) => (
                  <HoldingRow
                    key={holding.id}
                    holding={holding}
                    coins={coinList}
                    onChanged={refresh}
                  />
                ))}
              </DataTable>
            )
          }
        </AsyncView>
      </div>
    </>
  );
}

export default function Portfolio() {
  const { user, checking } = useAuth();
  return (
    <>
      <PageHead title="Portfolio" subtitle="Your holdings valued at the latest market snapshot." />
      {checking ? (
        <Loading />
      ) : user ? (
        <PortfolioBody />
      ) : (
        <div className="card">
          <Empty>
            <span>Sign in to track your holdings, P&amp;L and allocation.</span>
            <span className="toolbar">
              <Link className="btn primary" to="/login?next=/portfolio">
                Sign in
              </Link>
              <Link className="btn" to="/register">
                Create an account
              </Link>
            </span>
          </Empty>
        </div>
      )}
    </>
  );
}
