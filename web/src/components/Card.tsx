import type { ReactNode } from "react";

/** A card with a head row: the title on the left, `actions` (a filter, a range switch) on the right. */
export function Card({
  title,
  actions,
  className,
  children,
}: {
  title: string;
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className ? `card ${className}` : "card"}>
      <div className="card-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </div>
  );
}
