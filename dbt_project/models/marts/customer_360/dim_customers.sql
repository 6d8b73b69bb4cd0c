{{
    config(
        materialized='incremental',
        unique_key='customer_unique_id',
        post_hook=["{{ forget_customers_without_orders(ref('int_orders_summarized')) }}"],
    )
}}
-- One row per person (customer_unique_id) with every metric of the customer_360 contract.
-- Incremental: a refresh rewrites the people whose orders it rewrote and the people whose RFM scores
-- moved (scores rank everyone: int_customers_scored). Recency is not stored here: it moves for everyone
-- when as_of does, so the api view `customers` computes it at read time from last_valid_purchase_date.
-- import CTEs read several times are `not materialized` (macros/customer_360_changes.sql)
with

aggregated as (

    select * from {{ ref('int_customers_aggregated') }}

),

favorite_categories as (

    select * from {{ ref('int_customers_favorite_category') }}

),

preferred_payments as (

    select * from {{ ref('int_customers_preferred_payment') }}

),

scores as (

    select * from {{ ref('int_customers_scored') }}

),

orders as not materialized (

    select * from {{ ref('int_orders_summarized') }}

),

{% if is_incremental() %}
-- the people this run rewrites: those whose orders it rewrote, and those whose scores moved
rescored as (

    select scores.customer_unique_id
    from scores
    inner join {{ this }} as published
        on scores.customer_unique_id = published.customer_unique_id
    where (scores.r_score, scores.f_score, scores.m_score, scores.segment)
        is distinct from
        (published.r_score, published.f_score, published.m_score, published.segment)

),

scope as (

    {{ touched('orders', 'customer_unique_id') }}
    union
    select rescored.customer_unique_id from rescored

),
{% endif %}

scoped as (

    select aggregated.*
    from aggregated
    {% if is_incremental() %}
    where aggregated.customer_unique_id in (select scope.customer_unique_id from scope)
    {% endif %}

),

latest_location as (

    select distinct on (orders.customer_unique_id)
        orders.customer_unique_id,
        orders.zip_code_prefix,
        orders.city,
        orders.state

    from orders
    inner join scoped
        on orders.customer_unique_id = scoped.customer_unique_id
    order by orders.customer_unique_id asc, orders.purchased_at desc, orders.order_id desc

),

final as (

    select
        scoped.customer_unique_id,
        latest_location.zip_code_prefix,
        latest_location.city,
        latest_location.state,
        scoped.orders_count,
        scoped.valid_orders_count,
        scoped.canceled_orders_count,
        scoped.total_spent,
        scoped.avg_order_value,
        scoped.items_count,
        scoped.items_value,
        scoped.freight_value,
        scoped.first_order_at,
        scoped.last_order_at,
        scoped.avg_review_score,
        scoped.late_deliveries_count,
        favorite_categories.favorite_category,
        preferred_payments.preferred_payment_type,
        scoped.last_valid_purchase_date,
        scoped.valid_orders_count as frequency,
        scoped.total_spent as monetary,
        scores.r_score,
        scores.f_score,
        scores.m_score,
        coalesce(scores.segment, 'inactive') as segment

    from scoped
    inner join latest_location
        on scoped.customer_unique_id = latest_location.customer_unique_id
    left join favorite_categories
        on scoped.customer_unique_id = favorite_categories.customer_unique_id
    left join preferred_payments
        on scoped.customer_unique_id = preferred_payments.customer_unique_id
    left join scores
        on scoped.customer_unique_id = scores.customer_unique_id

)

select * from final
