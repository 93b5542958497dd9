/**
 * A coin's badge: its symbol on a colour derived from its id. No remote images, so the dashboard
 * works offline and never logs failed image loads.
 */
export function coinColor(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return `hsl(${hash % 360} 55% 45%)`;
}

export function CoinAvatar({
  id,
  symbol,
  large = false,
}: {
  id: string;
  symbol: string;
  large?: boolean;
}) {
  return (
    <span
      className={`avatar${large ? " lg" : ""}${symbol.length > 3 ? " long" : ""}`}
      style={{ background: coinColor(id) }}
      aria-hidden="true"
    >
      {symbol.slice(0, 4)}
    </span>
  );
}
