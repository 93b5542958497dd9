import { Link } from "react-router-dom";
import { formatPrice } from "../lib/format";
import { useLivePrices } from "../lib/LivePricesProvider";

const TICKER_COINS = 20;

/** The header's scrolling strip of live prices (the list is doubled for a seamless loop). */
export function PriceTicker({ order }: { order: string[] }) {
  const { prices, status } = useLivePrices();
  const known = order.length > 0 ? order : Object.keys(prices);
  const items = known
    .map((id) => prices[id])
    .filter((p) => p !== undefined)
    .slice(0, TICKER_COINS);
  return (
    <div className="ticker" aria-label="Live prices" data-testid="price-ticker">
      {items.length === 0 ? (
        <span className="muted" style={{ fontSize: 12.5 }}>
          {status === "offline"
            ? "Live prices unavailable, reconnecting…"
            : status === "live"
              ? "Waiting for the first live prices…"
              : "Connecting to live prices…"}
        </span>
      ) : (
        <div className="ticker-track">
          {[0, 1].map((copy) =>
            items.map((p) => (
              <Link
                key={`${copy}-${p.coinId}`}
                to={`/coins/${p.coinId}`}
                className="ticker-item"
                aria-hidden={copy === 1}
                tabIndex={copy === 1 ? -1 : undefined}
              >
                <b>{p.symbol.toUpperCase()}</b>
                <span className={p.direction ?? ""}>{formatPrice(p.price)}</span>
              </Link>
            )),
          )}
        </div>
      )}
    </div>
  );
}
