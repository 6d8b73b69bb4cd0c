import { useState, type FormEvent } from "react";

import { api, rowsOf } from "@bi-dash/shared/api";
import type { RowOf } from "@bi-dash/shared/database";
import { addDays, formatDate, formatDateTime, formatMinutes, formatTime, monthPeriod, overtimeMinutes, shiftMonth } from "@bi-dash/shared/format";
import { num, Show, TableHead, useLoad, useRoute, useSession, useT } from "@bi-dash/shared/ui";
import { DEFAULT_TIME_ZONE } from "@bi-dash/shared/vocabulary";

import { latestMonth, monthStart } from "./months";

type Punch = Pick<RowOf<"punches">, "punch_id" | "punched_at" | "status" | "reason" | "jornada_number" | "source">;

async function loadMonth(employeeId: string, month: string) {
  const period = monthPeriod(month);
  const [people, days, punches, totals] = await Promise.all([
    api().from("employees").select("employee_id,name,department,timezone").eq("employee_id", employeeId),
    api()
      .from("timesheet_daily")
      .select(
        "work_date,jornada_of_day,jornada_number,punch_count,worked_minutes,expected_minutes,balance_minutes,overtime_50_minutes,overtime_100_minutes,night_minutes,is_incomplete,needs_review,review_reason,is_absent,absence_category,has_break_violation,has_rest_violation,has_overtime_over_limit,is_holiday",
      )
      .eq("employee_id", employeeId)
      .gte("work_date", period.from)
      .lte("work_date", period.to)
      .order("work_date")
      .order("jornada_of_day"),
    // a night shift's punches may fall on the day after the month's last day
    api()
      .from("punches")
      .select("punch_id,punched_at,status,reason,jornada_number,source")
      .eq("employee_id", employeeId)
      .gte("punched_at", `${addDays(period.from, -1)}T00:00:00Z`)
      .lt("punched_at", `${addDays(period.to, 2)}T00:00:00Z`)
      .order("punched_at"),
    api()
      .from("timesheet_monthly")
      .select("worked_minutes,expected_minutes,balance_minutes,overtime_50_minutes,overtime_100_minutes,night_minutes,hour_bank_balance_minutes,incomplete_days,break_violations,rest_violations")
      .eq("employee_id", employeeId)
      .eq("month", monthStart(month)),
  ]);
  return {
    person: rowsOf(people)[0] ?? null,
    days: rowsOf(days),
    punches: rowsOf(punches),
    totals: rowsOf(totals)[0] ?? null,
  };
}

export function MonthPage({ employeeId, month, own = false }: { employeeId: string; month: string | null; own?: boolean }) {
  const [latest, retry] = useLoad(async () => month ?? (await latestMonth(employeeId)), [employeeId, month]);
  const { t } = useT();
  return (
    <Show loaded={latest} retry={retry}>
      {(found) =>
        found ? (
          <Month employeeId={employeeId} month={found} own={own} />
        ) : own ? (
          <>
            <h1>{t("myMonth")}</h1>
            <RegisterPunch />
            <p className="state empty">{t("empty")}</p>
          </>
        ) : (
          <p className="state" role="alert" data-testid="not-yours">
            {t("notYourData")}
          </p>
        )
      }
    </Show>
  );
}

function Month({ employeeId, month, own }: { employeeId: string; month: string; own: boolean }) {
  const { t, locale } = useT();
  const { navigate } = useRoute();
  const session = useSession();
  const [loaded, retry] = useLoad(() => loadMonth(employeeId, month), [employeeId, month]);
  const go = (next: string) => navigate(own ? `/?month=${next}` : `/people/${encodeURIComponent(employeeId)}?month=${next}`);
  return (
    <>
      <div className="toolbar">
        <button type="button" className="secondary" onClick={() => go(shiftMonth(month, -1))} aria-label={`${t("month")} -1`}>
          ◀
        </button>
        <label>
          {t("month")}
          <input type="month" value={month} onChange={(event) => event.target.value && go(event.target.value)} />
        </label>
        <button type="button" className="secondary" onClick={() => go(shiftMonth(month, 1))} aria-label={`${t("month")} +1`}>
          ▶
        </button>
      </div>
      {own && <RegisterPunch />}
      <Show loaded={loaded} retry={retry}>
        {({ person, days, punches, totals }) => {
          if (!person && days.length === 0) {
            return (
              <p className="state" role="alert" data-testid="not-yours">
                {t("notYourData")}
              </p>
            );
          }
          const zone = person?.timezone ?? DEFAULT_TIME_ZONE;
          const byJornada = new Map<number, Punch[]>();
          for (const punch of punches) {
            if (punch.jornada_number === null) continue;
            byJornada.set(punch.jornada_number, [...(byJornada.get(punch.jornada_number) ?? []), punch]);
          }
          return (
            <>
              <h1 data-testid="person">
                {person?.name ?? employeeId} <small>({employeeId})</small>
              </h1>
              {totals && (
                <div className="kpis" data-testid="month-totals">
                  {(
                    [
                      ["worked", totals.worked_minutes],
                      ["expected", totals.expected_minutes],
                      ["balance", totals.balance_minutes],
                      ["overtime", overtimeMinutes(totals)],
                      ["night", totals.night_minutes],
                      ["hourBank", totals.hour_bank_balance_minutes],
                    ] as const
                  ).map(([label, value]) => (
                    <div className="kpi" key={label} data-kpi={label}>
                      <div className="label">{t(label)}</div>
                      <div className="value">{formatMinutes(value)}</div>
                    </div>
                  ))}
                </div>
              )}
              <table data-testid="timesheet">
                <TableHead
                  columns={[
                    "workDate", "punches", num("worked"), num("expected"), num("balance"), num("overtime"),
                    num("night"), "violations"
                  ]}
                />
                <tbody>
                  {days.map((day) => {
                    const flagged = day.has_break_violation || day.has_rest_violation || day.has_overtime_over_limit;
                    const dayPunches = day.jornada_number === null ? [] : byJornada.get(day.jornada_number) ?? [];
                    return (
                      <tr
                        key={`${day.work_date}-${day.jornada_of_day ?? 0}`}
                        className={flagged ? "violation" : day.needs_review || day.is_incomplete ? "review" : undefined}
                        data-work-date={day.work_date ?? ""}
                      >
                        <td>{formatDate(day.work_date, locale)}</td>
                        <td>
                          {dayPunches.map((punch) => (
                            <PunchCell key={punch.punch_id} punch={punch} zone={zone} canCorrect={session.role === "hr"} />
                          ))}
                        </td>
                        <td className="num">{formatMinutes(day.worked_minutes)}</td>
                        <td className="num">{formatMinutes(day.expected_minutes)}</td>
                        <td className="num">{formatMinutes(day.balance_minutes)}</td>
                        <td className="num">{formatMinutes(overtimeMinutes(day))}</td>
                        <td className="num">{formatMinutes(day.night_minutes)}</td>
                        <td>
                          {day.is_absent && <span className="badge bad">{t("absent")}</span>}
                          {day.is_incomplete && <span className="badge warn">{t("incomplete")}</span>}
                          {day.needs_review && (
                            <span className="badge warn" title={day.review_reason ?? ""}>
                              {t("needsReview")}
                            </span>
                          )}
                          {day.has_break_violation && <span className="badge bad">{t("breakViolation")}</span>}
                          {day.has_rest_violation && <span className="badge bad">{t("restViolation")}</span>}
                          {day.has_overtime_over_limit && <span className="badge bad">{t("overtimeOverLimit")}</span>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              {session.role === "hr" && <IncludePunch employeeId={employeeId} />}
            </>
          );
        }}
      </Show>
    </>
  );
}

function PunchCell({ punch, zone, canCorrect }: { punch: Punch; zone: string; canCorrect: boolean }) {
  const { t } = useT();
  const [open, setOpen] = useState(false);
  const kept = punch.status === "kept" || punch.status === "included";
  return (
    <span className="punch" data-punch-id={punch.punch_id ?? ""} data-status={punch.status ?? ""}>
      <span title={punch.reason ?? punch.status ?? ""} style={kept ? undefined : { textDecoration: "line-through" }}>
        {formatTime(punch.punched_at, zone)}
      </span>{" "}
      {canCorrect && kept && !open && (
        <button type="button" className="secondary" onClick={() => setOpen(true)} aria-label={`${t("disregard")} ${formatTime(punch.punched_at, zone)}`}>
          ✕
        </button>
      )}
      {open && <Correction onDone={() => setOpen(false)} action={(reason) => disregard(punch.punch_id ?? 0, reason)} />}
    </span>
  );
}

async function disregard(punchId: number, reason: string): Promise<void> {
  rowsOf(await api().rpc("disregard_punch", { punch_id: punchId, reason }));
}

/** A correction needs a reason: the form will not send without one (and the API refuses an empty one). */
export function Correction({ action, onDone }: { action: (reason: string) => Promise<void>; onDone: () => void }) {
  const { t } = useT();
  const [state, setState] = useState<"editing" | "saving" | "saved" | string>("editing");
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get("reason") ?? "").trim();
    if (!reason) return;
    setState("saving");
    try {
      await action(reason);
      setState("saved");
    } catch (error) {
      setState(String(error instanceof Error ? error.message : error));
    }
  };
  if (state === "saved") {
    return (
      <span className="ok" role="status">
        {t("correctionSaved")}
      </span>
    );
  }
  return (
    <form className="toolbar" onSubmit={submit}>
      <label>
        {t("reason")}
        <input name="reason" required minLength={3} />
      </label>
      <button type="submit" disabled={state === "saving"}>
        {t("save")}
      </button>
      <button type="button" className="secondary" onClick={onDone}>
        {t("cancel")}
      </button>
      {state !== "editing" && state !== "saving" && <span role="alert" className="form-error">{state}</span>}
    </form>
  );
}

function IncludePunch({ employeeId }: { employeeId: string }) {
  const { t } = useT();
  const [at, setAt] = useState("");
  return (
    <section>
      <h2>{t("include")}</h2>
      <label>
        {t("at")} ({DEFAULT_TIME_ZONE})
        <input type="datetime-local" value={at} onChange={(event) => setAt(event.target.value)} />
      </label>
      {at && (
        <Correction
          key={at}
          onDone={() => setAt("")}
          action={async (reason) => {
            // the instant as Brasília reads it (UTC-3 since 2019: no daylight saving time)
            rowsOf(await api().rpc("include_punch", { employee_id: employeeId, punched_at: `${at}:00-03:00`, reason }));
          }}
        />
      )}
    </section>
  );
}

const PENDING_KEY = "bi-dash.pending-punches";

function RegisterPunch() {
  const { t, locale } = useT();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<string[]>(() => JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "[]") as string[]);
  const register = async () => {
    setError(null);
    try {
      const result = rowsOf(await api().rpc("register_punch", {}));
      const next = [...pending, result.punched_at];
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(next));
      setPending(next);
    } catch (failure) {
      setError(String(failure instanceof Error ? failure.message : failure));
    } finally {
      setConfirming(false);
    }
  };
  return (
    <section className="register">
      {confirming ? (
        <div role="dialog" aria-modal="false" aria-labelledby="confirm-punch" className="toolbar">
          <span id="confirm-punch">{t("confirmPunch")}</span>
          <button type="button" onClick={register} autoFocus>
            {t("confirm")}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            {t("cancel")}
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          {t("registerPunch")}
        </button>
      )}
      {error && <p role="alert" className="form-error">{error}</p>}
      {pending.length > 0 && (
        <ul data-testid="pending">
          {pending.map((at) => (
            <li key={at}>
              {t("punchRegistered")} {formatDateTime(at, locale)} ({t("pendingRefresh")})
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
