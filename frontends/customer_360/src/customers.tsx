import { useState } from "react";

import { api, rowsOf, saveText, ApiFailure, failureKind } from "@bi-dash/shared/api";
import { formatDate, formatMoney, formatNumber } from "@bi-dash/shared/format";
import { Link, Show, useLoad, useRoute, useT } from "@bi-dash/shared/ui";
import { CUSTOMER_SORTS, SEGMENTS } from "@bi-dash/shared/vocabulary";

export const PAGE_SIZE = 25;
const COLUMNS = "customer_unique_id,city,state,segment,orders_count,total_spent,last_order_at";
type Sort = (typeof CUSTOMER_SORTS)[number];
// the API's db-max-rows: the export pages through the API in chunks of this size
const EXPORT_CHUNK = 1000;

interface Filters {
  state: string;
  city: string;
  segment: string;
  minSpent: string;
  id: string;
  sort: Sort;
  desc: boolean;
  page: number;
}

function parse(query: string): Filters {
  const params = new URLSearchParams(query);
  const sort = params.get("sort") as Sort | null;
  return {
    state: params.get("state") ?? "",
    city: params.get("city") ?? "",
    segment: params.get("segment") ?? "",
    minSpent: params.get("min_spent") ?? "",
    id: params.get("id") ?? "",
    sort: sort && CUSTOMER_SORTS.includes(sort) ? sort : "total_spent",
    desc: params.get("dir") !== "asc",
    page: Math.max(1, Number(params.get("page") ?? "1") || 1),
  };
}

function serialize(filters: Filters): string {
  const params = new URLSearchParams();
  if (filters.state) params.set("state", filters.state);
  if (filters.city) params.set("city", filters.city);
  if (filters.segment) params.set("segment", filters.segment);
  if (filters.minSpent) params.set("min_spent", filters.minSpent);
  if (filters.id) params.set("id", filters.id);
  params.set("sort", filters.sort);
  params.set("dir", filters.desc ? "desc" : "asc");
  if (filters.page > 1) params.set("page", String(filters.page));
  return params.toString();
}

/** The customers query for these filters (the page and the export share it). */
function query(filters: Filters, count?: "exact") {
  let request = api().from("customers").select(COLUMNS, count ? { count } : undefined);
  if (filters.state) request = request.eq("state", filters.state.toUpperCase());
  if (filters.city) request = request.ilike("city", `${filters.city}*`);
  if (filters.segment) request = request.eq("segment", filters.segment);
  if (filters.minSpent) request = request.gte("total_spent", Number(filters.minSpent));
  if (filters.id) request = request.eq("customer_unique_id", filters.id);
  // a unique last key: pages never repeat or skip a customer. Both keys the same way and the database's
  // default null order (the sorted columns are never null): one index, read either way, yields the
  // page (api_contracts/queries.py)
  return request
    .order(filters.sort, { ascending: !filters.desc })
    .order("customer_unique_id", { ascending: !filters.desc });
}

async function exportCsv(filters: Filters): Promise<void> {
  const chunks: string[] = [];
  for (let offset = 0; ; offset += EXPORT_CHUNK) {
    const answer = await query(filters).range(offset, offset + EXPORT_CHUNK - 1).csv();
    if (answer.error || answer.data === null) {
      throw new ApiFailure(failureKind(answer.status), answer.error?.message ?? "", answer.status);
    }
    const text = String(answer.data);
    const lines = text.split("\n");
    chunks.push(offset === 0 ? text : lines.slice(1).join("\n"));
    if (lines.length - 1 < EXPORT_CHUNK) break;
  }
  saveText(chunks.map((chunk) => chunk.replace(/\n?$/, "\n")).join(""), "customers.csv");
}

export function CustomersPage({ query: search }: { query: string }) {
  const { t, locale } = useT();
  const { navigate } = useRoute();
  const filters = parse(search);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const [page, retry] = useLoad(async () => {
    const from = (filters.page - 1) * PAGE_SIZE;
    const answer = await query(filters, "exact").range(from, from + PAGE_SIZE - 1);
    return { rows: rowsOf(answer), count: answer.count ?? 0 };
  }, [search]);
  const go = (changes: Partial<Filters>) => navigate(`/customers?${serialize({ ...filters, ...changes })}`);
  const sortHeader = (column: Sort, label: string, numeric = false) => (
    <th
      scope="col"
      className={numeric ? "num" : undefined}
      aria-sort={filters.sort === column ? (filters.desc ? "descending" : "ascending") : "none"}
    >
      <button
        type="button"
        className="secondary"
        onClick={() => go({ sort: column, desc: filters.sort === column ? !filters.desc : true, page: 1 })}
      >
        {label} {filters.sort === column ? (filters.desc ? "▼" : "▲") : ""}
      </button>
    </th>
  );
  return (
    <>
      <h1>{t("customers")}</h1>
      <form
        className="filters"
        key={search}
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          go({
            state: String(form.get("state") ?? "").trim(),
            city: String(form.get("city") ?? "").trim(),
            segment: String(form.get("segment") ?? ""),
            minSpent: String(form.get("min_spent") ?? "").trim(),
            id: String(form.get("id") ?? "").trim(),
            page: 1,
          });
        }}
      >
        <label>
          {t("state")}
          <input name="state" defaultValue={filters.state} maxLength={2} size={4} />
        </label>
        <label>
          {t("city")}
          <input name="city" defaultValue={filters.city} />
        </label>
        <label>
          {t("segment")}
          <select name="segment" defaultValue={filters.segment}>
            <option value="">{t("any")}</option>
            {SEGMENTS.map((segment) => (
              <option key={segment} value={segment}>
                {segment}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("minSpent")}
          <input name="min_spent" type="number" min="0" step="0.01" defaultValue={filters.minSpent} />
        </label>
        <label>
          {t("customerId")}
          <input name="id" defaultValue={filters.id} />
        </label>
        <button type="submit">{t("filter")}</button>
        <button
          type="button"
          className="secondary"
          disabled={exporting}
          onClick={() => {
            setExporting(true);
            setExportError(null);
            exportCsv(filters)
              .catch((error: unknown) => setExportError(String(error)))
              .finally(() => setExporting(false));
          }}
        >
          {t("exportCsv")}
        </button>
      </form>
      {exportError && <p role="alert" className="form-error">{exportError}</p>}
      <Show loaded={page} retry={retry}>
        {({ rows, count }) => {
          const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
          return (
            <>
              <p data-testid="count">
                <strong>{formatNumber(count, locale)}</strong> {t("totalCount")}
              </p>
              {rows.length === 0 ? (
                <p className="state empty" role="status">
                  {t("empty")}
                </p>
              ) : (
                <table data-testid="customers">
                  <thead>
                    <tr>
                      {sortHeader("customer_unique_id", t("customerId"))}
                      <th scope="col">{t("city")}</th>
                      <th scope="col">{t("state")}</th>
                      <th scope="col">{t("segment")}</th>
                      {sortHeader("orders_count", t("ordersCount"), true)}
                      {sortHeader("total_spent", t("totalSpent"), true)}
                      {sortHeader("last_order_at", t("lastOrder"))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row) => (
                      <tr key={row.customer_unique_id}>
                        <td>
                          <Link to={`/customers/${encodeURIComponent(row.customer_unique_id ?? "")}`}>
                            {row.customer_unique_id}
                          </Link>
                        </td>
                        <td>{row.city}</td>
                        <td>{row.state}</td>
                        <td>{row.segment}</td>
                        <td className="num">{formatNumber(row.orders_count, locale)}</td>
                        <td className="num">{formatMoney(row.total_spent, locale)}</td>
                        <td>{formatDate(row.last_order_at, locale)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <nav className="pager" aria-label={t("page")}>
                <button type="button" disabled={filters.page <= 1} onClick={() => go({ page: filters.page - 1 })}>
                  {t("previous")}
                </button>
                <span>
                  {t("page")} {filters.page} / {pages}
                </span>
                <button type="button" disabled={filters.page >= pages} onClick={() => go({ page: filters.page + 1 })}>
                  {t("next")}
                </button>
              </nav>
            </>
          );
        }}
      </Show>
    </>
  );
}
