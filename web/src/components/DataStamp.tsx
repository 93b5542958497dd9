import { formatUtcTime } from "../lib/format";

/** Which run made an answer's data, and its time: every warehouse answer carries both. */
export function DataStamp({
  data,
  testId,
}: {
  data: { as_of?: string | null; run_id?: string | null };
  testId: string;
}) {
  if (!data.as_of || !data.run_id) return null;
  return (
    <span
      className="data-stamp"
      title={`Made by run ${data.run_id}`}
      data-testid={testId}
      data-run-id={data.run_id}
    >
      as of {formatUtcTime(data.as_of)} UTC
    </span>
  );
}
