import { type DependencyList, useCallback, useEffect, useEffectEvent, useState } from "react";

export interface AsyncState<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  /** Load again (after a mutation, or from an error state's retry button). */
  reload: () => void;
}

/** How the newest finished call ended, and which request it answered. */
interface Outcome {
  request: object;
  error: Error | null;
}

/** One request per distinct list of dependencies (compared like React compares deps). */
interface Request {
  key: readonly unknown[];
  token: object;
}

function sameKey(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

/**
 * Run a loader when its dependencies change, cancelling the previous call. Stale answers from an
 * earlier call never overwrite newer ones, and the previous data stays visible while reloading.
 * `loading` and `error` are derived from whether the newest request has answered yet, so the
 * effect sets state only when a call finishes. ESLint checks `deps` at every call site as it
 * checks useEffect's (react-hooks/exhaustive-deps with useAsync as an additional hook).
 */
export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  {
    enabled = true,
    revision = 0,
  }: {
    enabled?: boolean;
    /** The data revision of what the loader reads (`useDataRevision`): a change loads again. */
    revision?: number;
  } = {},
): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [nonce, setNonce] = useState(0);
  // The newest `load` the caller rendered, without making it a dependency of the effect.
  const runLoad = useEffectEvent(load);
  // A new request whenever a dependency, `enabled`, the revision or the reload nonce changes:
  // noted while rendering (React's pattern for state that follows props), so `loading` is right
  // at once.
  const key = [...deps, nonce, enabled, revision];
  const [current, setCurrent] = useState<Request>(() => ({ key, token: {} }));
  let request = current.token;
  if (!sameKey(current.key, key)) {
    request = {};
    setCurrent({ key, token: request });
  }

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    runLoad(controller.signal)
      .then((value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setOutcome({ request, error: null });
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setOutcome({ request, error: err instanceof Error ? err : new Error(String(err)) });
      });
    return () => controller.abort();
  }, [request, enabled]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const answered = outcome !== null && outcome.request === request;
  return { data, error: answered ? outcome.error : null, loading: enabled && !answered, reload };
}
