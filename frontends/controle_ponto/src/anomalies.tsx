import { useState } from "react";

import { api, rowsOf } from "@bi-dash/shared/api";
import { formatDate, formatDateTime, formatNumber } from "@bi-dash/shared/format";
import type { LabelKey } from "@bi-dash/shared/i18n";
import { Link, Show, TableHead, useLoad, useRoute, useT } from "@bi-dash/shared/ui";
import { ANOMALY_KINDS, VIOLATION_KINDS } from "@bi-dash/shared/vocabulary";

import { Correction } from "./month";

const LIMIT = 200;
// the queue HR works through first, then the violations (listed only when asked for by kind)
const KINDS = [...ANOMALY_KINDS.filter((kind) => !VIOLATION_KINDS.includes(kind)), ...VIOLATION_KINDS];

export function AnomaliesPage({ kind }: { kind: string }) {
  const { t, locale } = useT();
  const { navigate } = useRoute();
  const [loaded, retry] = useLoad(async () => {
    let request = api()
      .from("punch_anomalies")
      .select("anomaly_id,kind,employee_id,work_date,occurred_at,punch_id,detail", { count: "exact" });
    request = kind ? request.eq("kind", kind) : request.not("kind", "in", `(${VIOLATION_KINDS.join(",")})`);
    // latest day first (days unknown first), ties by key the same way: one index read backwards yields it
    const answer = await request
      .order("work_date", { ascending: false, nullsFirst: true })
      .order("anomaly_id", { ascending: false })
      .limit(LIMIT);
    return { rows: rowsOf(answer), count: answer.count ?? 0 };
  }, [kind]);
  return (
    <>
      <h1>{t("anomalies")}</h1>
      <div className="toolbar">
        <label>
          {t("kind")}
          <select value={kind} onChange={(event) => navigate(`/anomalies${event.target.value ? `?kind=${event.target.value}` : ""}`)}>
            <option value="">{t("any")}</option>
            {KINDS.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Show loaded={loaded} retry={retry} isEmpty={(data) => data.rows.length === 0}>
        {({ rows, count }) => (
          <>
            <p data-testid="count">
              {formatNumber(Math.min(count, LIMIT), locale)} / {formatNumber(count, locale)}
            </p>
            <table data-testid="anomalies">
              <TableHead columns={["kind", "employee", "workDate", "occurredAt", "detail", "correction"]} />
              <tbody>
                {rows.map((row) => (
                  <tr key={row.anomaly_id} data-anomaly-id={row.anomaly_id ?? ""}>
                    <td>{row.kind}</td>
                    <td>
                      {row.employee_id ? (
                        <Link to={`/people/${encodeURIComponent(row.employee_id)}${row.work_date ? `?month=${row.work_date.slice(0, 7)}` : ""}`}>
                          {row.employee_id}
                        </Link>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>{formatDate(row.work_date, locale)}</td>
                    <td>{formatDateTime(row.occurred_at, locale)}</td>
                    <td>{row.detail}</td>
                    <td>
                      <AnomalyAction kind={row.kind} punchId={row.punch_id} employeeId={row.employee_id} at={row.occurred_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Show>
    </>
  );
}

/** What HR can do about an anomaly, with a mandatory reason: confirm a jornada that needs review,
 * include a punch the 2-minute rule set aside, or disregard a punch. */
function AnomalyAction({
  kind,
  punchId,
  employeeId,
  at,
}: {
  kind: string | null;
  punchId: number | null;
  employeeId: string | null;
  at: string | null;
}) {
  const { t } = useT();
  const [open, setOpen] = useState(false);
  if (punchId === null) return null;
  const [label, action]: [LabelKey, (reason: string) => Promise<unknown>] =
    kind === "needs_review"
      ? ["confirmJornada", async (reason) => rowsOf(await api().rpc("confirm_jornada", { punch_id: punchId, reason }))]
      : kind === "duplicate_punch" && employeeId && at
        ? ["include", async (reason) => rowsOf(await api().rpc("include_punch", { employee_id: employeeId, punched_at: at, reason }))]
        : ["disregard", async (reason) => rowsOf(await api().rpc("disregard_punch", { punch_id: punchId, reason }))];
  if (!open) {
    return (
      <button type="button" className="secondary" onClick={() => setOpen(true)} aria-label={`${t(label)} #${punchId}`}>
        {t(label)}
      </button>
    );
  }
  return (
    <Correction
      onDone={() => setOpen(false)}
      action={async (reason) => {
        await action(reason);
      }}
    />
  );
}
