import { useMemo, useState } from "react";

import { api, rowsOf } from "@bi-dash/shared/api";
import type { RowOf } from "@bi-dash/shared/database";
import {
  addDays,
  formatDate,
  formatMoney,
  formatNumber,
  formatPercent,
  previousPeriod,
  relativeChange,
  type Period,
} from "@bi-dash/shared/format";
import type { LabelKey } from "@bi-dash/shared/i18n";
import { Chart } from "@bi-dash/shared/chart";
import { num, Show, TableHead, useLoad, useT } from "@bi-dash/shared/ui";

type Day = Pick<RowOf<"daily_sales">, "date" | "orders" | "valid_orders" | "revenue" | "customers" | "new_customers">;

export interface Totals {
  revenue: number;
  orders: number;
  avgTicket: number | null;
  buyers: number;
  newCustomers: number;
}

/** The period's KPIs from daily rows: average ticket = revenue / valid orders (as daily_sales). */
export function totals(days: readonly Day[], period: Period): Totals {
  const inside = days.filter((day) => day.date !== null && day.date >= period.from && day.date <= period.to);
  const sum = (pick: (day: Day) => number | null) => inside.reduce((total, day) => total + (pick(day) ?? 0), 0);
  const revenue = sum((day) => day.revenue);
  const validOrders = sum((day) => day.valid_orders);
  return {
    revenue,
    orders: sum((day) => day.orders),
    avgTicket: validOrders ? revenue / validOrders : null,
    buyers: sum((day) => day.customers),
    newCustomers: sum((day) => day.new_customers),
  };
}

async function loadDays(period: Period): Promise<Day[]> {
  const previous = previousPeriod(period);
  return rowsOf(
    await api()
      .from("daily_sales")
      .select("date,orders,valid_orders,revenue,customers,new_customers")
      .gte("date", previous.from)
      .lte("date", period.to)
      .order("date"),
  );
}

async function latestDay(): Promise<string | null> {
  const rows = rowsOf(await api().from("daily_sales").select("date").order("date", { ascending: false }).limit(1));
  return rows[0]?.date ?? null;
}

export function OverviewPage() {
  const [latest, retryLatest] = useLoad(latestDay, []);
  return (
    <Show loaded={latest} retry={retryLatest} isEmpty={(day) => day === null}>
      {(day) => <Overview latest={day!} />}
    </Show>
  );
}

function Overview({ latest }: { latest: string }) {
  const { t, locale } = useT();
  // default: the 30 days that end on the latest day with sales
  const [period, setPeriod] = useState<Period>({ from: addDays(latest, -29), to: latest });
  const [days, retryDays] = useLoad(() => loadDays(period), [period.from, period.to]);
  const [segments, retrySegments] = useLoad(
    async () =>
      rowsOf(await api().from("customer_segments").select("segment,customers,revenue,share_of_revenue").order("revenue", { ascending: false })),
    [],
  );
  const [states, retryStates] = useLoad(
    async () =>
      rowsOf(await api().from("sales_by_state").select("state,customers,orders,revenue,avg_review_score,late_delivery_rate").order("revenue", { ascending: false })),
    [],
  );
  return (
    <>
      <h1>{t("overview")}</h1>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const from = String(form.get("from"));
          const to = String(form.get("to"));
          if (from && to && from <= to) setPeriod({ from, to });
        }}
      >
        <label>
          {t("from")}
          <input type="date" name="from" defaultValue={period.from} required />
        </label>
        <label>
          {t("to")}
          <input type="date" name="to" defaultValue={period.to} required />
        </label>
        <button type="submit">{t("filter")}</button>
      </form>
      <Show loaded={days} retry={retryDays}>
        {(rows) => <Kpis rows={rows} period={period} />}
      </Show>
      <h2>{t("dailySales")}</h2>
      <Show loaded={days} retry={retryDays} isEmpty={(rows) => rows.length === 0}>
        {(rows) => <DailyChart rows={rows.filter((row) => (row.date ?? "") >= period.from)} />}
      </Show>
      <div className="grid2">
        <section>
          <h2>
            {t("segments")} ({t("allTime")})
          </h2>
          <Show loaded={segments} retry={retrySegments} isEmpty={(rows) => rows.length === 0}>
            {(rows) => (
              <>
                <Chart
                  label={t("shareOfRevenue")}
                  height={240}
                  option={{
                    tooltip: { trigger: "item", valueFormatter: (value: unknown) => formatMoney(Number(value), locale) },
                    series: [
                      {
                        type: "pie",
                        radius: ["40%", "70%"],
                        data: rows.map((row) => ({ name: row.segment ?? "", value: row.revenue ?? 0 })),
                      },
                    ],
                  }}
                />
                <table data-testid="segments">
                  <TableHead columns={["segment", num("customers"), num("revenue"), num("shareOfRevenue")]} />
                  <tbody>
                    {rows.map((row) => (
                      <tr key={row.segment}>
                        <td title={t(`segment_${row.segment}` as LabelKey)}>{row.segment}</td>
                        <td className="num">{formatNumber(row.customers, locale)}</td>
                        <td className="num">{formatMoney(row.revenue, locale)}</td>
                        <td className="num">{formatPercent(row.share_of_revenue, locale)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </Show>
        </section>
        <section>
          <h2>
            {t("salesByState")} ({t("allTime")})
          </h2>
          <Show loaded={states} retry={retryStates} isEmpty={(rows) => rows.length === 0}>
            {(rows) => (
              <>
                <Chart
                  label={t("salesByState")}
                  height={Math.max(240, rows.length * 18)}
                  option={{
                    tooltip: { trigger: "axis", valueFormatter: (value: unknown) => formatMoney(Number(value), locale) },
                    grid: { left: 40, right: 30, top: 10, bottom: 30 },
                    xAxis: { type: "value", axisLabel: { formatter: (value: number) => formatNumber(value, locale) } },
                    yAxis: { type: "category", inverse: true, data: rows.map((row) => row.state ?? "") },
                    series: [{ type: "bar", name: t("revenue"), data: rows.map((row) => row.revenue ?? 0) }],
                  }}
                />
                <table data-testid="states">
                  <TableHead
                    columns={[
                      "state", num("customers"), num("orders"), num("revenue"), num("avgReview"),
                      num("lateDeliveries")
                    ]}
                  />
                  <tbody>
                    {rows.map((row) => (
                      <tr key={row.state}>
                        <td>{row.state}</td>
                        <td className="num">{formatNumber(row.customers, locale)}</td>
                        <td className="num">{formatNumber(row.orders, locale)}</td>
                        <td className="num">{formatMoney(row.revenue, locale)}</td>
                        <td className="num">{formatNumber(row.avg_review_score, locale, 2)}</td>
                        <td className="num">{formatPercent(row.late_delivery_rate, locale)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </Show>
        </section>
      </div>
    </>
  );
}

function Kpis({ rows, period }: { rows: Day[]; period: Period }) {
  const { t, locale } = useT();
  const now = totals(rows, period);
  const before = totals(rows, previousPeriod(period));
  const previous = previousPeriod(period);
  const items: { key: keyof Totals; label: LabelKey; format: (value: number | null) => string }[] = [
    { key: "revenue", label: "revenue", format: (value) => formatMoney(value, locale) },
    { key: "orders", label: "orders", format: (value) => formatNumber(value, locale) },
    { key: "avgTicket", label: "avgTicket", format: (value) => formatMoney(value, locale) },
    { key: "buyers", label: "buyers", format: (value) => formatNumber(value, locale) },
    { key: "newCustomers", label: "newCustomers", format: (value) => formatNumber(value, locale) },
  ];
  return (
    <div className="kpis" data-testid="kpis">
      {items.map((item) => {
        const change = relativeChange(now[item.key] ?? NaN, before[item.key] ?? NaN);
        return (
          <div className="kpi" key={item.key} data-kpi={item.key}>
            <div className="label">{t(item.label)}</div>
            <div className="value">{item.format(now[item.key])}</div>
            <div
              className={change === null ? "" : change >= 0 ? "up" : "down"}
              title={`${formatDate(previous.from, locale)} – ${formatDate(previous.to, locale)}`}
            >
              {change === null ? "—" : `${change >= 0 ? "▲" : "▼"} ${formatPercent(Math.abs(change), locale)}`}{" "}
              {t("vsPrevious")}
            </div>
          </div>
        );
      })}
    </div>
  );
}

function DailyChart({ rows }: { rows: Day[] }) {
  const { t, locale } = useT();
  const option = useMemo(
    () => ({
      tooltip: { trigger: "axis" },
      legend: { data: [t("revenue"), t("orders")] },
      grid: { left: 70, right: 50, top: 30, bottom: 30 },
      xAxis: { type: "category", data: rows.map((row) => formatDate(row.date, locale)) },
      yAxis: [
        { type: "value", name: "R$", axisLabel: { formatter: (value: number) => formatNumber(value, locale) } },
        { type: "value", name: t("orders"), axisLabel: { formatter: (value: number) => formatNumber(value, locale) } },
      ],
      series: [
        { type: "line", name: t("revenue"), data: rows.map((row) => row.revenue ?? 0) },
        { type: "bar", name: t("orders"), yAxisIndex: 1, data: rows.map((row) => row.orders ?? 0) },
      ],
    }),
    [rows, t, locale],
  );
  return <Chart option={option} label={t("dailySales")} />;
}
