import { api, rowsOf } from "@bi-dash/shared/api";

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
