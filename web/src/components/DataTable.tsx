import type { ReactNode } from "react";

/** A table in its horizontal scroller: `head` is the header row's cells, `children` the body rows. */
export function DataTable({
  testId,
  busy,
  head,
  children,
}: {
  testId: string;
  busy?: boolean;
  head: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table data-testid={testId} aria-busy={busy}>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
