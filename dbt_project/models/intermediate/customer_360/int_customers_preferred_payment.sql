-- The payment type with the largest summed value over a person's valid orders; ties alphabetical.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

payments as (

    select * from {{ ref('stg_olist__order_payments') }}

),

type_totals as (

    select
        orders.customer_unique_id,
        payments.payment_type,
        sum(payments.payment_value) as payment_value

    from payments
    inner join orders
        on payments.order_id = orders.order_id
    where orders.is_valid
    group by orders.customer_unique_id, payments.payment_type

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
        customer_unique_id,
        payment_type as preferred_payment_type

    from ranked
    where payment_rank = 1

)

select * from final
