with

customers as (

    select * from {{ ref('stg_olist__customers') }}

),

orders as (

    select * from {{ ref('stg_olist__orders') }}

),

customer_orders as (

    select
        customers.customer_unique_id,
        customers.zip_code_prefix,
        customers.city,
        customers.state,
        orders.order_id,
        orders.purchased_at,
        orders.is_valid

    from orders
    inner join customers
        on orders.customer_id = customers.customer_id

),

latest_location as (

    select distinct on (customer_unique_id)
        customer_unique_id,
        zip_code_prefix,
        city,
        state

    from customer_orders
    order by customer_unique_id asc, purchased_at desc, order_id desc

),

order_counts as (

    select
        customer_unique_id,
        count(*) as orders_count,
        count(*) filter (where is_valid) as valid_orders_count,
        min(purchased_at) as first_order_at,
        max(purchased_at) as last_order_at

    from customer_orders
    group by customer_unique_id

),

final as (

    select
        order_counts.customer_unique_id,
        latest_location.zip_code_prefix,
        latest_location.city,
        latest_location.state,
        order_counts.orders_count,
        order_counts.valid_orders_count,
        order_counts.orders_count - order_counts.valid_orders_count as canceled_orders_count,
        order_counts.first_order_at,
        order_counts.last_order_at

    from order_counts
    inner join latest_location
        on order_counts.customer_unique_id = latest_location.customer_unique_id

)

select * from final
