import { api, rowsOf } from "@bi-dash/shared/api";
import { formatMinutes, formatNumber, overtimeMinutes } from "@bi-dash/shared/format";
import { Link, num, Show, TableHead, useLoad, useSession, useT } from "@bi-dash/shared/ui";

import { MonthInput, monthStart, WithMonth } from "./months";

export async function loadTeamMonth(month: string) {
  const [months, people] = await Promise.all([
    api()
      .from("timesheet_monthly")
      .select("employee_id,incomplete_days,review_days,absences_count,break_violations,rest_violations,overtime_over_limit_days,overtime_50_minutes,overtime_100_minutes,balance_minutes,hour_bank_balance_minutes")
      .eq("month", monthStart(month))
      .order("employee_id"),
    api().from("employees").select("employee_id,name,department"),
  ]);
  const names = new Map(rowsOf(people).map((person) => [person.employee_id, person]));
  return rowsOf(months).map((row) => ({ ...row, person: names.get(row.employee_id) ?? null }));
}

/** Manager: the team's month (row-level security keeps it to the team); HR: everyone's. */
export function TeamPage({ month }: { month: string | null }) {
  return <WithMonth month={month}>{(found) => <Team month={found} />}</WithMonth>;
}

function Team({ month }: { month: string }) {
  const { t, locale } = useT();
  const session = useSession();
  const [loaded, retry] = useLoad(() => loadTeamMonth(month), [month]);
  return (
    <>
      <h1>{session.role === "hr" ? t("employees") : t("team")}</h1>
      <div className="toolbar">
        <MonthInput month={month} path="/team" />
      </div>
      <Show loaded={loaded} retry={retry} isEmpty={(rows) => rows.length === 0}>
        {(rows) => (
          <table data-testid="team">
            <TableHead
              columns={[
                "employee", "department", num("incompleteDays"), num("violations"), num("overtimeOverLimit"),
                num("overtime"), num("balance"), num("hourBank")
              ]}
            />
            <tbody>
              {rows.map((row) => {
                const violations = (row.break_violations ?? 0) + (row.rest_violations ?? 0);
                const flagged = (row.incomplete_days ?? 0) > 0 || violations > 0 || (row.overtime_over_limit_days ?? 0) > 0;
                return (
                  <tr key={row.employee_id} data-employee-id={row.employee_id ?? ""} className={flagged ? "review" : undefined}>
                    <td>
                      <Link to={`/people/${encodeURIComponent(row.employee_id ?? "")}?month=${month}`}>
                        {row.person?.name ?? row.employee_id}
                      </Link>{" "}
                      <small>{row.employee_id}</small>
                    </td>
                    <td>{row.person?.department ?? "—"}</td>
                    <td className="num">{formatNumber(row.incomplete_days, locale)}</td>
                    <td className="num">{formatNumber(violations, locale)}</td>
                    <td className="num">{formatNumber(row.overtime_over_limit_days, locale)}</td>
                    <td className="num">{formatMinutes(overtimeMinutes(row))}</td>
                    <td className="num">{formatMinutes(row.balance_minutes)}</td>
                    <td className="num">{formatMinutes(row.hour_bank_balance_minutes)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}
