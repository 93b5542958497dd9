import { useMemo, useState } from "react";
import { api } from "../api";
import { Chart } from "../charts/Chart";
import { qualityDonutOption } from "../charts/options";
import { Card } from "../components/Card";
import { DataTable } from "../components/DataTable";
import { PageHead } from "../components/Layout";
import { AsyncView, Empty } from "../components/States";
import { Segmented } from "../components/Segmented";
import { formatDateTime, timeAgo } from "../lib/format";
import { platformCheckStatus } from "../lib/quality";
import { useDataRevision } from "../lib/PlatformStatusProvider";
import { useAsync } from "../lib/useAsync";

type StatusFilter = "all" | "pass" | "warn" | "fail";
/** The choices of the status filter. */
const STATUSES: { value: StatusFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "pass", label: "Pass" },
  { value: "warn", label: "Warn" },
  { value: "fail", label: "Fail" },
];

function scoreColor(score: number | null): string {
  if (score === null) return "var(--muted)";
  if (score >= 95) return "var(--up)";
  if (score >= 80) return "var(--warn)";
  return "var(--down)";
}

function detailsText(details: Record<string, unknown> | null | undefined): string {
  if (!details) return "";
  return Object.entries(details)
    .slice(0, 4)
    .map(
      ([key, value]) =>
        `${key}: ${typeof value === "string" ? value : (JSON.stringify(value) ?? "")}`,
    )
    .join(" · ");
}

export default function Quality() {
  const [status, setStatus] = useState<StatusFilter>("all");
  const revision = useDataRevision("quality");
  const summary = useAsync((signal) => api.get("/api/v1/quality/summary", { signal }), [], {
    revision,
  });
  const checks = useAsync(
    (signal) =>
      api.get("/api/v1/quality/checks", {
        query: { per_page: 250, ...(status === "all" ? {} : { status }) },
        signal,
      }),
    [status],
    { revision },
  );
  const allLatest = useAsync(
    (signal) => api.get("/api/v1/quality/checks", { query: { per_page: 250 }, signal }),
    [],
    { revision },
  );
  const platform = useMemo(() => platformCheckStatus(allLatest.data?.data ?? []), [allLatest.data]);
  const donut = useMemo(
    () =>
      summary.data
        ? qualityDonutOption(summary.data.passed, summary.data.warned, summary.data.failed)
        : null,
    [summary.data],
  );

  return (
    <>
      <PageHead
        title="Data quality"
        subtitle="dbt tests and our own checks, newest result of each."
      />
      <AsyncView state={summary} height={200}>
        {(s) =>
          s.total === 0 ? (
            <div className="card">
              <Empty>No checks have run yet.</Empty>
            </div>
          ) : (
            <div className="grid cols-3">
              <div className="grid" style={{ alignContent: "start" }}>
                <div className="card" data-testid="quality-score">
                  <div className="kpi-label">Overall score</div>
                  <div style={{ display: "flex", alignItems: "center", gap: 16 }}>
                    <div className="score-ring" style={{ color: scoreColor(s.score) }}>
                      {s.score === null ? "—" : s.score.toFixed(1)}
                    </div>
                    <div style={{ flex: 1, minWidth: 120 }}>
                      <Chart option={donut!} height={120} label="Check results donut" />
                    </div>
                  </div>
                  <div className="muted" style={{ fontSize: 12.5 }}>
                    <span className="up">{s.passed} passed</span> ·{" "}
                    <span style={{ color: "var(--warn)" }}>{s.warned} warnings</span> ·{" "}
                    <span className="down">{s.failed} failed</span> · checked{" "}
                    {timeAgo(s.last_checked_at)}
                  </div>
                </div>
                <div className="card" data-testid="platform-checks">
                  <h2>Platform checks</h2>
                  <ul className="movers">
                    {platform.map((p) => (
                      <li key={p.name} title={p.description ?? ""}>
                        <span>
                          {p.label}
                          <span className="muted" style={{ fontSize: 12 }}>
                            {p.tables > 0 ? ` · ${p.tables} table${p.tables > 1 ? "s" : ""}` : ""}
                          </span>
                        </span>
                        <span className={`badge ${p.status ?? ""}`}>{p.status ?? "not run"}</span>
                      </li>
                    ))}
                  </ul>
                </div>
              </div>
              <div className="card span-2">
                <h2>By table</h2>
                <DataTable
                  testId="quality-tables"
                  head={
                    <>
                      <th>Table</th>
                      <th style={{ width: "40%" }}>Score</th>
                      <th className="num">Pass</th>
                      <th className="num">Warn</th>
                      <th className="num">Fail</th>
                    </>
                  }
                >
                  {s.tables.map((t) => (
                    <tr key={t.table_name}>
                      <td>
                        <code>{t.table_name}</code>
                      </td>
                      <td>
                        <div style={{ display: "flex", gap: 8, alignItems: "center" }}>
                          <div className="progress" style={{ flex: 1 }}>
                            <span
                              style={{ width: `${t.score}%`, background: scoreColor(t.score) }}
                            />
                          </div>
                          <span className="num" style={{ width: 44 }}>
                            {t.score.toFixed(0)}%
                          </span>
                        </div>
                      </td>
                      <td className="num up">{t.passed}</td>
                      <td className="num" style={{ color: t.warned ? "var(--warn)" : undefined }}>
                        {t.warned}
                      </td>
                      <td className={`num ${t.failed ? "down" : ""}`}>{t.failed}</td>
                    </tr>
                  ))}
                </DataTable>
              </div>
            </div>
          )
        }
      </AsyncView>
      <Card
        title="Checks"
        actions={
          <Segmented label="Status filter" value={status} onChange={setStatus} options={STATUSES} />
        }
      >
        <AsyncView state={checks}>
          {(c) =>
            c.data.length === 0 ? (
              <Empty>No {status === "all" ? "" : `${status} `}checks.</Empty>
            ) : (
              <DataTable
                testId="quality-checks"
                head={
                  <>
                    <th>Status</th>
                    <th>Check</th>
                    <th>Table</th>
                    <th className="hide-sm">Severity</th>
                    <th className="hide-sm">Details</th>
                    <th>Checked (UTC)</th>
                  </>
                }
              >
                {c.data.map((check) => (
                  <tr key={check.id}>
                    <td>
                      <span className={`badge ${check.status}`}>{check.status}</span>
                    </td>
                    <td title={check.description ?? ""}>{check.check_name}</td>
                    <td>
                      <code>{check.table_name}</code>
                    </td>
                    <td className="hide-sm muted">{check.severity}</td>
                    <td
                      className="hide-sm muted"
                      style={{ maxWidth: 360, overflow: "hidden", textOverflow: "ellipsis" }}
                      title={detailsText(check.details)}
                    >
                      {detailsText(check.details) || check.description || "—"}
                    </td>
                    <td>{formatDateTime(check.checked_at)}</td>
                  </tr>
                ))}
              </DataTable>
            )
          }
        </AsyncView>
      </Card>
    </>
  );
}
