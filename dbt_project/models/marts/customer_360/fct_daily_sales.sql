-- One row per local purchase date: orders, revenue and customers of that day.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

first_dates as (

    select
        customer_unique_id,
        (first_order_at at time zone '{{ var("business_time_zone") }}')::date as first_order_date

    from customers

),

daily as (

    select
        orders.purchase_date as sales_date,
        count(*) as orders,
        count(*) filter (where orders.is_valid) as valid_orders,
        coalesce(sum(orders.payment_value) filter (where orders.is_valid), 0) as revenue,
        count(distinct orders.customer_unique_id) as customers,
        count(distinct orders.customer_unique_id) filter (
            where first_dates.first_order_date = orders.purchase_date
        ) as new_customers

    from orders
    inner join first_dates
        on orders.customer_unique_id = first_dates.customer_unique_id
    group by orders.purchase_date

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
