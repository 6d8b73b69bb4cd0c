with

segments as (

    select * from {{ ref('fct_customer_segments') }}

),

final as (

    select
        segment,
        customers,
        revenue,
        share_of_revenue

    from segments

)

select * from final
