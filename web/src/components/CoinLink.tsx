import { Link } from "react-router-dom";
import { CoinAvatar } from "./CoinAvatar";

export function CoinLink({ id, symbol, name }: { id: string; symbol: string; name: string }) {
  return (
    <Link to={`/coins/${id}`} className="coin-cell">
      <CoinAvatar id={id} symbol={symbol} />
      <span>
        {name} <span className="sym">{symbol}</span>
      </span>
    </Link>
  );
}
