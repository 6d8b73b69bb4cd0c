import { useState } from "react";

import { api, ApiFailure, failureKind, rowsOf, saveText } from "@bi-dash/shared/api";
import { formatMinutes, formatNumber, overtimeMinutes } from "@bi-dash/shared/format";
import { num, Show, TableHead, useLoad, useT } from "@bi-dash/shared/ui";

import { MonthInput, monthStart, WithMonth } from "./months";

// what the month close shows and exports: the month's totals per employee, as the API serves them
export const CLOSE_COLUMNS =
  "employee_id,month,jornadas_count,incomplete_days,review_days,absences_count,justified_absences,worked_minutes,expected_minutes,balance_minutes,overtime_50_minutes,overtime_100_minutes,night_minutes,deficit_minutes,break_violations,rest_violations,overtime_over_limit_days,hour_bank_balance_minutes";

function closeQuery(month: string) {
  return api().from("timesheet_monthly").select(CLOSE_COLUMNS).eq("month", monthStart(month)).order("employee_id");
}

export function ClosePage({ month }: { month: string | null }) {
  return <WithMonth month={month}>{(found) => <Close month={found} />}</WithMonth>;
}

function Close({ month }: { month: string }) {
  const { t, locale } = useT();
  const [loaded, retry] = useLoad(async () => rowsOf(await closeQuery(month)), [month]);
  const [error, setError] = useState<string | null>(null);
  const exportCsv = async () => {
    setError(null);
    const answer = await closeQuery(month).csv();
    if (answer.error || answer.data === null) {
      setError(new ApiFailure(failureKind(answer.status), answer.error?.message ?? "", answer.status).message);
      return;
    }
    saveText(String(answer.data), `fechamento_${month}.csv`);
  };
  return (
    <>
      <h1>{t("monthClose")}</h1>
      <div className="toolbar">
        <MonthInput month={month} path="/close" />
        <button type="button" onClick={exportCsv}>
          {t("exportCsv")}
        </button>
      </div>
      {error && <p role="alert" className="form-error">{error}</p>}
      <Show loaded={loaded} retry={retry} isEmpty={(rows) => rows.length === 0}>
        {(rows) => (
          <table data-testid="close">
            <TableHead
              columns={[
                "employee", num("incompleteDays"), num("worked"), num("expected"), num("balance"), num("overtime"),
                num("night"), num("hourBank")
              ]}
            />
            <tbody>
              {rows.map((row) => (
                <tr key={row.employee_id}>
                  <td>{row.employee_id}</td>
                  <td className="num">{formatNumber(row.incomplete_days, locale)}</td>
                  <td className="num">{formatMinutes(row.worked_minutes)}</td>
                  <td className="num">{formatMinutes(row.expected_minutes)}</td>
                  <td className="num">{formatMinutes(row.balance_minutes)}</td>
                  <td className="num">{formatMinutes(overtimeMinutes(row))}</td>
                  <td className="num">{formatMinutes(row.night_minutes)}</td>
                  <td className="num">{formatMinutes(row.hour_bank_balance_minutes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}
