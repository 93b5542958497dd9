import { api } from "../api";
import { useDataRevision } from "./PlatformStatusProvider";
import { useAsync } from "./useAsync";

/** Coin ids by market-cap rank, for ordering the live ticker like the market. */
export function useCoinOrder(): string[] {
  const revision = useDataRevision("market");
  const { data } = useAsync(
    (signal) => api.get("/api/v1/coins", { query: { per_page: 50 }, signal }),
    [],
    { revision },
  );
  return data?.data.map((coin) => coin.coin_id) ?? [];
}
