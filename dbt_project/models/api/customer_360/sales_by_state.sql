with

states as (

    select * from {{ ref('fct_sales_by_state') }}

),

final as (

    select
        state,
        customers,
        orders,
        revenue,
        avg_review_score,
        late_delivery_rate

    from states

)

select * from final
