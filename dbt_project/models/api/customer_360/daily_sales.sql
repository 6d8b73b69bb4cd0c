with

daily_sales as (

    select * from {{ ref('fct_daily_sales') }}

),

final as (

    select
        sales_date as date,
        orders,
        valid_orders,
        revenue,
        customers,
        new_customers,
        avg_ticket

    from daily_sales

)

select * from final
