import type { ReactNode } from "react";

export function Loading({ label = "Loading…", height }: { label?: string; height?: number }) {
  return (
    <div
      className="state"
      role="status"
      aria-live="polite"
      style={height ? { minHeight: height } : undefined}
    >
      <div className="spinner" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <div className="state error" role="alert">
      <span>{error.message || "Something went wrong."}</span>
      {onRetry && (
        <button type="button" className="btn small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

/**
 * The usual triple: an error (with retry) wins, then a first load, then the content. Content
 * stays on screen during a reload so pages do not flicker.
 */
export function AsyncView<T>({
  state,
  height,
  children,
}: {
  state: { data: T | undefined; error: Error | null; loading: boolean; reload: () => void };
  height?: number;
  children: (data: T) => ReactNode;
}) {
  if (state.error) return <ErrorState error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return <Loading height={height} />;
  return <>{children(state.data)}</>;
}
