{{
    config(
        materialized='incremental',
        unique_key='sales_date',
        post_hook=["{{ forget_rows_without_orders('sales_date', 'purchase_date') }}"],
    )
}}
-- One row per local purchase date: orders, revenue and customers of that day.
-- Incremental: a refresh recomputes the days its rewritten orders fall on (or fell on) and every day
-- a person it touched ordered on, since a new first order moves that person's "new customer" day.
{#- referenced outside the incremental block, so dbt sees the dependency in every mode #}
{%- set summarized_relation = ref('int_orders_summarized') %}
-- import CTEs read several times are `not materialized` (macros/customer_360_changes.sql)
with

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

{% if is_incremental() %}
summarized as not materialized (

    select * from {{ summarized_relation }}

),

touched_days as (

    select summarized.purchase_date
    from summarized
    {{ where_customer_touched('summarized') }}
    union
    {{ touched('summarized', 'purchase_date') }}

),
{% endif %}

scoped_orders as (

    select orders.*
    from orders
    {% if is_incremental() %}
    where orders.purchase_date in (select touched_days.purchase_date from touched_days)
    {% endif %}

),

first_dates as (

    select
        customer_unique_id,
        (first_order_at at time zone '{{ var("business_time_zone") }}')::date as first_order_date

    from customers

),

daily as (

    select
        scoped_orders.purchase_date as sales_date,
        count(*) as orders,
        count(*) filter (where scoped_orders.is_valid) as valid_orders,
        coalesce(sum(scoped_orders.payment_value) filter (where scoped_orders.is_valid), 0) as revenue,
        count(distinct scoped_orders.customer_unique_id) as customers,
        count(distinct scoped_orders.customer_unique_id) filter (
            where first_dates.first_order_date = scoped_orders.purchase_date
        ) as new_customers

    from scoped_orders
    inner join first_dates
        on scoped_orders.customer_unique_id = first_dates.customer_unique_id
    group by scoped_orders.purchase_date

),

final as (

    select
        sales_date,
        orders,
        valid_orders,
        round(revenue, 2) as revenue,
        customers,
        new_customers,
        round(revenue / nullif(valid_orders, 0), 2) as avg_ticket

    from daily

)

select * from final
