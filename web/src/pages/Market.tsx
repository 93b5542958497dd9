import { useMemo, useState } from "react";
import { api, type Coin, type CoinSort } from "../api";
import { Sparkline } from "../charts/Sparkline";
import { CoinLink } from "../components/CoinLink";
import { DataTable } from "../components/DataTable";
import { PageHead } from "../components/Layout";
import { Empty, ErrorState, Loading } from "../components/States";
import { changeClass, formatCompactUsd, formatPct, formatPrice } from "../lib/format";
import { useLivePrices } from "../lib/LivePricesProvider";
import { useDataRevision } from "../lib/PlatformStatusProvider";
import { useAsync } from "../lib/useAsync";
import { useDebounced } from "../lib/useDebounced";
import { useWatchlist } from "../lib/useWatchlist";

type Order = "asc" | "desc";

const COLUMNS: {
  key: CoinSort;
  label: string;
  numeric: boolean;
  firstOrder: Order;
  hideSm?: boolean;
}[] = [
  { key: "market_cap_rank", label: "#", numeric: true, firstOrder: "asc", hideSm: true },
  { key: "name", label: "Coin", numeric: false, firstOrder: "asc" },
  { key: "price_usd", label: "Price", numeric: true, firstOrder: "desc" },
  { key: "price_change_24h_pct", label: "24h", numeric: true, firstOrder: "desc" },
  { key: "market_cap_usd", label: "Market cap", numeric: true, firstOrder: "desc", hideSm: true },
  { key: "volume_24h_usd", label: "Volume 24h", numeric: true, firstOrder: "desc", hideSm: true },
];

function LivePriceCell({ coin }: { coin: Coin }) {
  const live = useLivePrices().prices[coin.coin_id];
  const price = live?.price ?? coin.price_usd;
  return (
    <span
      key={live?.version ?? 0}
      className={`price-cell${live?.direction ? ` flash-${live.direction}` : ""}`}
      data-testid={`price-${coin.coin_id}`}
      data-direction={live?.direction ?? ""}
    >
      {formatPrice(price)}
    </span>
  );
}

export default function Market() {
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<CoinSort>("market_cap_rank");
  const [order, setOrder] = useState<Order>("asc");
  const [onlyStarred, setOnlyStarred] = useState(false);
  const query = useDebounced(search.trim(), 200);
  const watchlist = useWatchlist();
  const revision = useDataRevision("market");

  // The rows come with the order they were asked in: the header shows how the rows on screen
  // are sorted, not a newer choice still loading.
  const coins = useAsync(
    async (signal) => ({
      sorted: { sort, order },
      page: await api.get("/api/v1/coins", {
        query: { per_page: 50, sort, order, ...(query ? { search: query } : {}) },
        signal,
      }),
    }),
    [sort, order, query],
    { revision },
  );
  const sparklines = useAsync((signal) => api.get("/api/v1/coins/sparklines", { signal }), [], {
    revision,
  });
  const sparkById = useMemo(
    () => new Map(sparklines.data?.data.map((s) => [s.coin_id, s.prices]) ?? []),
    [sparklines.data],
  );
  const maxCap = useMemo(
    () => Math.max(1, ...(coins.data?.page.data.map((c) => c.market_cap_usd ?? 0) ?? [])),
    [coins.data],
  );
  const rows = (coins.data?.page.data ?? []).filter(
    (c) => !onlyStarred || watchlist.ids.has(c.coin_id),
  );

  const sorted = coins.data?.sorted;

  const sortBy = (key: CoinSort, firstOrder: Order) => {
    if (key === sort) setOrder(order === "asc" ? "desc" : "asc");
    else {
      setSort(key);
      setOrder(firstOrder);
    }
  };

  return (
    <>
      <PageHead
        title="Market"
        subtitle="Live prices of the top 50 coins. Click a column to sort."
        actions={
          <>
            {watchlist.enabled && (
              <button
                type="button"
                className="btn small"
                aria-pressed={onlyStarred}
                onClick={() => setOnlyStarred(!onlyStarred)}
              >
                {onlyStarred ? "★ Watchlist" : "☆ All coins"}
              </button>
            )}
            <input
              type="search"
              className="search"
              placeholder="Search name or symbol…"
              aria-label="Search coins"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </>
        }
      />
      {watchlist.error && <div className="alert">Watchlist: {watchlist.error}</div>}
      <div className="card">
        {coins.error ? (
          <ErrorState error={coins.error} onRetry={coins.reload} />
        ) : !coins.data ? (
          <Loading />
        ) : rows.length === 0 ? (
          <Empty>
            {onlyStarred
              ? "No starred coins yet: click a ☆ to add one."
              : query
                ? `No coin matches “${query}”.`
                : "No market data yet."}
          </Empty>
        ) : (
          <DataTable
            testId="market-table"
            busy={coins.loading}
            head={
              <>
                {watchlist.enabled && <th aria-label="Watchlist" />}
                {COLUMNS.map((col) => (
                  <th
                    key={col.key}
                    className={`${col.numeric ? "num" : ""} ${col.hideSm ? "hide-sm" : ""}`}
                    aria-sort={
                      sorted?.sort === col.key
                        ? sorted.order === "asc"
                          ? "ascending"
                          : "descending"
                        : "none"
                    }
                  >
                    <button
                      type="button"
                      className="sort"
                      onClick={() => sortBy(col.key, col.firstOrder)}
                      data-sort={col.key}
                    >
                      {col.label}
                      {sorted?.sort === col.key && (
                        <span aria-hidden="true">{sorted.order === "asc" ? "▲" : "▼"}</span>
                      )}
                    </button>
                  </th>
                ))}
                <th className="hide-sm">Last 7 days</th>
              </>
            }
          >
            {rows.map((coin) => (
              <tr key={coin.coin_id} data-coin={coin.coin_id}>
                {watchlist.enabled && (
                  <td>
                    <button
                      type="button"
                      className="star"
                      aria-pressed={watchlist.ids.has(coin.coin_id)}
                      aria-label={`${watchlist.ids.has(coin.coin_id) ? "Remove" : "Add"} ${coin.name} ${watchlist.ids.has(coin.coin_id) ? "from" : "to"} watchlist`}
                      onClick={() => void watchlist.toggle(coin.coin_id)}
                    >
                      {watchlist.ids.has(coin.coin_id) ? "★" : "☆"}
                    </button>
                  </td>
                )}
                <td className="num muted hide-sm">{coin.market_cap_rank ?? "—"}</td>
                <td>
                  <CoinLink id={coin.coin_id} symbol={coin.symbol} name={coin.name} />
                </td>
                <td className="num">
                  <LivePriceCell coin={coin} />
                </td>
                <td className={`num ${changeClass(coin.price_change_24h_pct)}`}>
                  {formatPct(coin.price_change_24h_pct)}
                </td>
                <td className="num hide-sm">
                  {formatCompactUsd(coin.market_cap_usd)}
                  <div className="capbar" aria-hidden="true">
                    <span style={{ width: `${((coin.market_cap_usd ?? 0) / maxCap) * 100}%` }} />
                  </div>
                </td>
                <td className="num hide-sm">{formatCompactUsd(coin.volume_24h_usd)}</td>
                <td className="hide-sm">
                  <Sparkline values={sparkById.get(coin.coin_id) ?? []} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </div>
    </>
  );
}
