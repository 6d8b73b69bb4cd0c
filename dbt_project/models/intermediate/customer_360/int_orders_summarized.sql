{{
    config(
        materialized='incremental',
        unique_key='order_id',
        indexes=[
            {'columns': ['order_id'], 'unique': True},
            {'columns': ['customer_unique_id', 'purchased_at']},
            {'columns': ['summarized_at']},
        ],
    )
}}
-- One row per order with its items, payments and reviews: the order grain everything downstream in
-- customer_360 reads. Incremental: a refresh recomputes only the orders whose order, customer, item,
-- payment or review rows were loaded since the state it starts from was built (raw.*.loaded_xid
-- against that build's snapshot: macros/incremental_helpers.sql). The rows it rewrites carry this run's
-- summarized_at and, in previous_*, the person and day the order had before, so the per-customer models
-- and the daily sales downstream recompute exactly the people and days it touched
-- (macros/customer_360_changes.sql).

{%- set tz = var('business_time_zone') %}

-- import CTEs read several times are `not materialized` (macros/customer_360_changes.sql)
with

orders as not materialized (

    select * from {{ ref('stg_olist__orders') }}

),

customers as not materialized (

    select * from {{ ref('stg_olist__customers') }}

),

items as not materialized (

    select * from {{ ref('stg_olist__order_items') }}

),

payments as not materialized (

    select * from {{ ref('stg_olist__order_payments') }}

),

reviews as not materialized (

    select * from {{ ref('stg_olist__order_reviews') }}

),

{% if is_incremental() %}
-- what this table said before this run
summarized as not materialized (

    select * from {{ this }}

),

-- the orders whose order, customer, item, payment or review rows this build's state has not seen
-- (loaded by a transaction that had not committed when that state was built)
changed_orders as (

    select orders.order_id from orders where {{ is_new('orders.loaded_xid') }}
    union
    select items.order_id from items where {{ is_new('items.loaded_xid') }}
    union
    select payments.order_id from payments where {{ is_new('payments.loaded_xid') }}
    union
    select reviews.order_id from reviews where {{ is_new('reviews.loaded_xid') }}
    union
    select orders.order_id
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
    where {{ is_new('customers.loaded_xid') }}

),
{% endif %}

scoped_orders as (

    select orders.*
    from orders
    {% if is_incremental() %}
    where orders.order_id in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

item_totals as (

    select
        items.order_id,
        count(*) as items_count,
        sum(items.price) as items_value,
        sum(items.freight_value) as freight_value,
        max(items.loaded_at) as loaded_at

    from items
    inner join scoped_orders
        on items.order_id = scoped_orders.order_id
    group by items.order_id

),

payment_totals as (

    select
        payments.order_id,
        sum(payments.payment_value) as payment_value,
        string_agg(distinct payments.payment_type, ',' order by payments.payment_type) as payment_types_list,
        max(payments.installments) as max_installments,
        max(payments.loaded_at) as loaded_at

    from payments
    inner join scoped_orders
        on payments.order_id = scoped_orders.order_id
    group by payments.order_id

),

review_totals as (

    select
        reviews.order_id,
        count(*) as reviews_count,
        sum(reviews.review_score) as review_score_sum,
        max(reviews.loaded_at) as loaded_at

    from reviews
    inner join scoped_orders
        on reviews.order_id = scoped_orders.order_id
    group by reviews.order_id

),

final as (

    select
        scoped_orders.order_id,
        scoped_orders.customer_id,
        customers.customer_unique_id,
        scoped_orders.status,
        scoped_orders.is_valid,
        scoped_orders.purchased_at,
        scoped_orders.approved_at,
        scoped_orders.delivered_to_carrier_at,
        scoped_orders.delivered_at,
        scoped_orders.estimated_delivery_at,
        (scoped_orders.purchased_at at time zone '{{ tz }}')::date as purchase_date,
        scoped_orders.status = 'delivered' and scoped_orders.delivered_at is not null as is_delivered,
        coalesce(
            scoped_orders.status = 'delivered'
            and (scoped_orders.delivered_at at time zone '{{ tz }}')::date
            > (scoped_orders.estimated_delivery_at at time zone '{{ tz }}')::date,
            false
        ) as is_late,
        (scoped_orders.delivered_at at time zone '{{ tz }}')::date
        - (scoped_orders.purchased_at at time zone '{{ tz }}')::date as delivery_days,
        coalesce(item_totals.items_count, 0) as items_count,
        coalesce(item_totals.items_value, 0)::numeric(14, 2) as items_value,
        coalesce(item_totals.freight_value, 0)::numeric(14, 2) as freight_value,
        coalesce(payment_totals.payment_value, 0)::numeric(14, 2) as payment_value,
        coalesce(payment_totals.payment_types_list, '') as payment_types_list,
        payment_totals.max_installments,
        coalesce(review_totals.reviews_count, 0) as reviews_count,
        coalesce(review_totals.review_score_sum, 0) as review_score_sum,
        round(review_totals.review_score_sum::numeric / nullif(review_totals.reviews_count, 0), 2)
            as review_score,
        customers.zip_code_prefix,
        customers.city,
        customers.state,
        greatest(
            scoped_orders.loaded_at, customers.loaded_at, item_totals.loaded_at,
            payment_totals.loaded_at, review_totals.loaded_at
        ) as source_loaded_at,
        {{ run_started_at_literal() }} as summarized_at,
        {% if is_incremental() -%}
        summarized.customer_unique_id as previous_customer_unique_id,
        summarized.purchase_date as previous_purchase_date
        {%- else -%}
        null::text as previous_customer_unique_id,
        null::date as previous_purchase_date
        {%- endif %}

    from scoped_orders
    inner join customers
        on scoped_orders.customer_id = customers.customer_id
    left join item_totals
        on scoped_orders.order_id = item_totals.order_id
    left join payment_totals
        on scoped_orders.order_id = payment_totals.order_id
    left join review_totals
        on scoped_orders.order_id = review_totals.order_id
    {% if is_incremental() -%}
    left join summarized
        on scoped_orders.order_id = summarized.order_id
    {%- endif %}

)

select * from final
