with

customers as (

    select * from {{ ref('dim_customers') }}

),

final as (

    select
        customer_unique_id,
        zip_code_prefix,
        city,
        state,
        orders_count,
        valid_orders_count,
        canceled_orders_count,
        first_order_at,
        last_order_at

    from customers

)

select * from final
