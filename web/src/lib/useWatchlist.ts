import { useCallback, useEffect, useState } from "react";
import { api } from "../api";
import { useAuth } from "./AuthProvider";

/** The signed-in user's starred coins, toggled optimistically and rolled back on failure. */
export function useWatchlist() {
  const { user } = useAuth();
  const [ids, setIds] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  // Another user (or none) starts from an empty list: reset while rendering, not in the effect.
  const [owner, setOwner] = useState(user);
  if (owner !== user) {
    setOwner(user);
    setIds(new Set());
  }

  useEffect(() => {
    if (!user) return;
    const controller = new AbortController();
    api
      .get("/api/v1/watchlist", { signal: controller.signal })
      .then((list) => setIds(new Set(list.data.map((entry) => entry.coin_id))))
      .catch((err: Error) => {
        if (!controller.signal.aborted) setError(err.message);
      });
    return () => controller.abort();
  }, [user]);

  const toggle = useCallback(
    async (coinId: string) => {
      const starred = ids.has(coinId);
      const flip = (add: boolean) =>
        setIds((current) => {
          const next = new Set(current);
          if (add) next.add(coinId);
          else next.delete(coinId);
          return next;
        });
      flip(!starred);
      setError(null);
      try {
        if (starred) await api.delete("/api/v1/watchlist/{coin_id}", { path: { coin_id: coinId } });
        else await api.post("/api/v1/watchlist/{coin_id}", { path: { coin_id: coinId } });
      } catch (err) {
        flip(starred);
        setError((err as Error).message);
      }
    },
    [ids],
  );

  return { enabled: user !== null, ids, toggle, error };
}
