-- The payment type with the largest summed value over a person's valid orders; ties alphabetical.
-- One row per person with an order (null when no valid order has a payment), so an incremental run
-- that recomputes a person replaces the old row. Incremental as int_customers_aggregated.
-- import CTEs read several times are `not materialized` (macros/customer_360_changes.sql)
with

orders as not materialized (

    select * from {{ ref('int_orders_summarized') }}

),

payments as (

    select * from {{ ref('stg_olist__order_payments') }}

),

-- every order of the people whose orders this run rewrote (macros/customer_360_changes.sql)
scoped_orders as (

    select orders.*
    from orders
    {{ where_customer_touched('orders') }}

),

type_totals as (

    select
        scoped_orders.customer_unique_id,
        payments.payment_type,
        sum(payments.payment_value) as payment_value

    from payments
    inner join scoped_orders
        on payments.order_id = scoped_orders.order_id
    where scoped_orders.is_valid
    group by scoped_orders.customer_unique_id, payments.payment_type

),

people as (

    select distinct scoped_orders.customer_unique_id from scoped_orders

),

ranked as (

    select
        customer_unique_id,
        payment_type,
        row_number() over (
            partition by customer_unique_id
            order by payment_value desc, payment_type asc
        ) as payment_rank

    from type_totals

),

final as (

    select
        people.customer_unique_id,
        ranked.payment_type as preferred_payment_type

    from people
    left join ranked
        on people.customer_unique_id = ranked.customer_unique_id
        and ranked.payment_rank = 1

)

select * from final
