-- Customers and revenue per RFM segment (inactive included).
with

customers as (

    select * from {{ ref('dim_customers') }}

),

segments as (

    select
        segment,
        count(*) as customers,
        sum(total_spent) as revenue

    from customers
    group by segment

),

final as (

    select
        segment,
        customers,
        round(revenue, 2) as revenue,
        round(revenue / nullif(sum(revenue) over (), 0), 4) as share_of_revenue

    from segments

)

select * from final
