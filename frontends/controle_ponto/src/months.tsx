import type { ReactNode } from "react";

import { api, rowsOf } from "@bi-dash/shared/api";
import { Show, useLoad, useRoute, useT } from "@bi-dash/shared/ui";

/** The latest month with a timesheet the caller may see (yyyy-mm), or null. */
export async function latestMonth(employeeId?: string): Promise<string | null> {
  let request = api().from("timesheet_monthly").select("month");
  if (employeeId) request = request.eq("employee_id", employeeId);
  const rows = rowsOf(await request.order("month", { ascending: false }).limit(1));
  return rows[0]?.month?.slice(0, 7) ?? null;
}

export function monthStart(month: string): string {
  return `${month}-01`;
}

/** The month in the URL, else the latest one with data; then the page of that month. */
export function WithMonth({ month, children }: { month: string | null; children: (month: string) => ReactNode }) {
  const [found, retry] = useLoad(async () => month ?? (await latestMonth()), [month]);
  return (
    <Show loaded={found} retry={retry} isEmpty={(value) => value === null}>
      {(value) => children(value!)}
    </Show>
  );
}

/** The month field of a page whose URL is `path?month=yyyy-mm`. */
export function MonthInput({ month, path }: { month: string; path: string }) {
  const { t } = useT();
  const { navigate } = useRoute();
  return (
    <label>
      {t("month")}
      <input type="month" value={month} onChange={(event) => event.target.value && navigate(`${path}?month=${event.target.value}`)} />
    </label>
  );
}
