import { api, rowsOf } from "@bi-dash/shared/api";
import { formatDate, formatMoney, formatNumber } from "@bi-dash/shared/format";
import type { LabelKey } from "@bi-dash/shared/i18n";
import { Link, Show, useLoad, useT } from "@bi-dash/shared/ui";

async function loadProfile(id: string) {
  const [customers, orders] = await Promise.all([
    api().from("customers").select("*").eq("customer_unique_id", id),
    api()
      .from("customer_orders")
      .select(
        "order_id,status,purchased_at,delivered_at,estimated_delivery_at,is_late,delivery_days,items_count,payment_value,payment_types,max_installments,review_score",
      )
      .eq("customer_unique_id", id)
      .order("purchased_at", { ascending: false }),
  ]);
  return { customer: rowsOf(customers)[0] ?? null, orders: rowsOf(orders) };
}

export function CustomerPage({ id }: { id: string }) {
  const { t, locale } = useT();
  const [profile, retry] = useLoad(() => loadProfile(id), [id]);
  return (
    <>
      <p>
        <Link to="/customers">← {t("back")}</Link>
      </p>
      <h1>
        {t("profile")}: <span data-testid="customer-id">{id}</span>
      </h1>
      <Show loaded={profile} retry={retry} isEmpty={(data) => data.customer === null}>
        {({ customer, orders }) => {
          const c = customer!;
          const facts: [LabelKey, string][] = [
            ["city", `${c.city ?? "—"} / ${c.state ?? "—"}`],
            ["ordersCount", formatNumber(c.orders_count, locale)],
            ["totalSpent", formatMoney(c.total_spent, locale)],
            ["avgTicket", formatMoney(c.avg_order_value, locale)],
            ["firstOrder", formatDate(c.first_order_at, locale)],
            ["lastOrder", formatDate(c.last_order_at, locale)],
            ["recencyDays", formatNumber(c.recency_days, locale)],
            ["avgReview", formatNumber(c.avg_review_score, locale, 2)],
            ["lateDeliveries", formatNumber(c.late_deliveries_count, locale)],
            ["favoriteCategory", c.favorite_category ?? "—"],
            ["preferredPayment", c.preferred_payment_type ?? "—"],
          ];
          return (
            <>
              <dl className="facts" data-testid="facts">
                {facts.map(([label, value]) => (
                  <div key={label} data-fact={label}>
                    <dt>{t(label)}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
                <div data-fact="valid_orders_count">
                  <dt>{t("validCanceled")}</dt>
                  <dd>
                    {formatNumber(c.valid_orders_count, locale)} / {formatNumber(c.canceled_orders_count, locale)}
                  </dd>
                </div>
                <div data-fact="items">
                  <dt>{t("itemsFreight")}</dt>
                  <dd>
                    {formatNumber(c.items_count, locale)} · {formatMoney(c.items_value, locale)} ·{" "}
                    {formatMoney(c.freight_value, locale)}
                  </dd>
                </div>
              </dl>
              <h2>{t("rfm")}</h2>
              <p data-testid="rfm">
                R <strong>{c.r_score ?? "—"}</strong> · F <strong>{c.f_score ?? "—"}</strong> · M{" "}
                <strong>{c.m_score ?? "—"}</strong> → <strong data-testid="segment">{c.segment}</strong>
              </p>
              <p>{t(`segment_${c.segment}` as LabelKey)}</p>
              <h2>{t("orders")}</h2>
              <table data-testid="orders">
                <thead>
                  <tr>
                    <th scope="col">ID</th>
                    <th scope="col">{t("status")}</th>
                    <th scope="col">{t("purchasedAt")}</th>
                    <th scope="col">{t("onTime")}</th>
                    <th scope="col" className="num">{t("payment")}</th>
                    <th scope="col">{t("paymentTypes")}</th>
                    <th scope="col" className="num">{t("review")}</th>
                  </tr>
                </thead>
                <tbody>
                  {orders.map((order) => (
                    <tr key={order.order_id}>
                      <td>{order.order_id}</td>
                      <td>{order.status}</td>
                      <td>{formatDate(order.purchased_at, locale)}</td>
                      <td>
                        {order.is_late === null ? "—" : order.is_late ? (
                          <span className="badge bad">{t("late")}</span>
                        ) : (
                          t("onTime")
                        )}
                        {order.delivery_days !== null && ` (${order.delivery_days} d)`}
                      </td>
                      <td className="num">{formatMoney(order.payment_value, locale)}</td>
                      <td>
                        {(order.payment_types ?? []).join(", ")}
                        {order.max_installments ? ` · ${order.max_installments}x` : ""}
                      </td>
                      <td className="num">{order.review_score ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          );
        }}
      </Show>
    </>
  );
}
