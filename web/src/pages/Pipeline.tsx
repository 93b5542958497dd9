import { useState } from "react";
import { api } from "../api";
import { Card } from "../components/Card";
import { DataTable } from "../components/DataTable";
import { PageHead } from "../components/Layout";
import { AsyncView, Empty } from "../components/States";
import { formatDateTime, formatDuration, formatNumber, timeAgo } from "../lib/format";
import { useDataRevision } from "../lib/PlatformStatusProvider";
import { useAsync } from "../lib/useAsync";

const PER_PAGE = 15;

export default function Pipeline() {
  const [page, setPage] = useState(1);
  const [job, setJob] = useState("");
  const revision = useDataRevision("pipeline");
  const health = useAsync((signal) => api.get("/api/v1/pipeline/health", { signal }), [], {
    revision,
  });
  const runs = useAsync(
    (signal) =>
      api.get("/api/v1/pipeline/runs", {
        query: { page, per_page: PER_PAGE, ...(job ? { job_name: job } : {}) },
        signal,
      }),
    [page, job],
    { revision },
  );
  const pages = Math.max(1, Math.ceil((runs.data?.count ?? 0) / PER_PAGE));

  return (
    <>
      <PageHead title="Pipeline" subtitle="Dagster runs of the batch jobs: health and history." />
      <AsyncView state={health} height={120}>
        {(h) =>
          h.data.length === 0 ? (
            <div className="card">
              <Empty>No runs recorded yet.</Empty>
            </div>
          ) : (
            <div className="grid cols-4" data-testid="job-health">
              {h.data.map((j) => (
                <div className="card" key={j.job_name}>
                  <div className="card-head" style={{ marginBottom: 6 }}>
                    <h3 style={{ margin: 0 }}>{j.job_name}</h3>
                    <span className={`badge ${j.status === "healthy" ? "pass" : "fail"}`}>
                      {j.status}
                    </span>
                  </div>
                  <div className="muted" style={{ fontSize: 12.5 }}>
                    Last success{" "}
                    <b style={{ color: "var(--text)" }}>{timeAgo(j.last_success_at)}</b>
                  </div>
                  <div className="muted" style={{ fontSize: 12.5 }}>
                    Last run {timeAgo(j.last_run_at)} ·{" "}
                    <span className={`badge ${j.last_status.toLowerCase()}`}>
                      {j.last_status.toLowerCase()}
                    </span>
                  </div>
                  <div className="muted" style={{ fontSize: 12.5 }}>
                    24h: {j.run_count} runs,{" "}
                    <span className={j.failure_count > 0 ? "down" : ""}>
                      {j.failure_count} failed
                    </span>
                  </div>
                </div>
              ))}
            </div>
          )
        }
      </AsyncView>
      <Card
        title="Run history"
        actions={
          <select
            aria-label="Filter by job"
            value={job}
            onChange={(e) => {
              setJob(e.target.value);
              setPage(1);
            }}
          >
            <option value="">All jobs</option>
            {health.data?.data.map((j) => (
              <option key={j.job_name} value={j.job_name}>
                {j.job_name}
              </option>
            ))}
          </select>
        }
      >
        <AsyncView state={runs}>
          {(r) =>
            r.data.length === 0 ? (
              <Empty>No runs {job ? `of ${job} ` : ""}yet.</Empty>
            ) : (
              <>
                <DataTable
                  testId="runs-table"
                  busy={runs.loading}
                  head={
                    <>
                      <th>Job</th>
                      <th>Status</th>
                      <th>Started (UTC)</th>
                      <th className="num">Duration</th>
                      <th className="num">Records</th>
                      <th>Error</th>
                    </>
                  }
                >
                  {r.data.map((run) => (
                    <tr key={run.run_id}>
                      <td>{run.job_name}</td>
                      <td>
                        <span className={`badge ${run.status.toLowerCase()}`}>
                          {run.status.toLowerCase()}
                        </span>
                      </td>
                      <td>{formatDateTime(run.started_at)}</td>
                      <td className="num">{formatDuration(run.duration_s)}</td>
                      <td className="num">{formatNumber(run.records_processed, 0)}</td>
                      <td
                        className="muted"
                        style={{ maxWidth: 320, overflow: "hidden", textOverflow: "ellipsis" }}
                        title={run.error_message ?? ""}
                      >
                        {run.error_message ?? "—"}
                      </td>
                    </tr>
                  ))}
                </DataTable>
                <div className="pager">
                  <span className="muted">
                    Page {page} of {pages} · {r.count} runs
                  </span>
                  <button
                    type="button"
                    className="btn small"
                    disabled={page <= 1}
                    onClick={() => setPage(page - 1)}
                  >
                    Previous
                  </button>
                  <button
                    type="button"
                    className="btn small"
                    disabled={page >= pages}
                    onClick={() => setPage(page + 1)}
                  >
                    Next
                  </button>
                </div>
              </>
            )
          }
        </AsyncView>
      </Card>
    </>
  );
}
