import { createContext, type ReactNode, useContext, useMemo, useReducer } from "react";
import { api, type DataVersion, type PlatformStatus } from "../api";
import { type Dataset, DATASETS, eventDataset, type PlatformEvent } from "./platformEvents";
import { useAsync } from "./useAsync";

/** Per dataset, how many times its served data may have changed since the app started. */
type Revisions = Readonly<Record<Dataset, number>>;

interface PlatformContext {
  status: PlatformStatus | null;
  revisions: Revisions;
}

/** What the WebSocket owner reports: an event frame, or a new connection after a lost one. */
export interface PlatformFeed {
  receive: (event: PlatformEvent) => void;
  reconnected: () => void;
}

const NO_REVISIONS = Object.fromEntries(DATASETS.map((d) => [d, 0])) as Revisions;
const Context = createContext<PlatformContext>({ status: null, revisions: NO_REVISIONS });
const FeedContext = createContext<PlatformFeed>({ receive: () => {}, reconnected: () => {} });

/** An event touches one dataset; after a reconnect any of them may have moved meanwhile. */
function bump(revisions: Revisions, touched: Dataset | "all"): Revisions {
  return Object.fromEntries(
    DATASETS.map((d) => [d, revisions[d] + (touched === "all" || touched === d ? 1 : 0)]),
  ) as Revisions;
}

/** One number for several datasets: it grows whenever any of their revisions does. */
function revisionOf(revisions: Revisions, datasets: readonly Dataset[]): number {
  return datasets.reduce((sum, dataset) => sum + revisions[dataset], 0);
}

/**
 * The platform status (`GET /api/v1/status`: each dataset's version, the failing blocking
 * checks), loaded at start and again whenever an event or a reconnect may have changed it.
 */
export function PlatformStatusProvider({ children }: { children: ReactNode }) {
  const [revisions, dispatch] = useReducer(bump, NO_REVISIONS);
  // Any event or reconnect bumps some revision, and may have changed the status too.
  const status = useAsync((signal) => api.get("/api/v1/status", { signal }), [], {
    revision: revisionOf(revisions, DATASETS),
  });
  const feed = useMemo<PlatformFeed>(
    () => ({
      receive: (event) => dispatch(eventDataset(event)),
      reconnected: () => dispatch("all"),
    }),
    [],
  );
  const value = useMemo(
    () => ({ status: status.data ?? null, revisions }),
    [status.data, revisions],
  );
  return (
    <FeedContext.Provider value={feed}>
      <Context.Provider value={value}>{children}</Context.Provider>
    </FeedContext.Provider>
  );
}

export function usePlatformStatus(): PlatformStatus | null {
  return useContext(Context).status;
}

/** The newest version of a dataset the platform reports (null before its first run). */
export function useDataVersion(dataset: Dataset): DataVersion | null {
  return useContext(Context).status?.versions[dataset] ?? null;
}

/**
 * A number that grows whenever data of these datasets may have changed: the `revision` of the
 * fetches that read them, so an open page loads again when a run lands.
 */
export function useDataRevision(...datasets: Dataset[]): number {
  return revisionOf(useContext(Context).revisions, datasets);
}

export function usePlatformFeed(): PlatformFeed {
  return useContext(FeedContext);
}
