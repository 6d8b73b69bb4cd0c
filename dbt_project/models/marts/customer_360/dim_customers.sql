-- One row per person (customer_unique_id) with every metric of the customer_360 contract.
with

aggregated as (

    select * from {{ ref('int_customers_aggregated') }}

),

favorite_categories as (

    select * from {{ ref('int_customers_favorite_category') }}

),

preferred_payments as (

    select * from {{ ref('int_customers_preferred_payment') }}

),

scores as (

    select * from {{ ref('int_customers_scored') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

latest_location as (

    select distinct on (customer_unique_id)
        customer_unique_id,
        zip_code_prefix,
        city,
        state

    from orders
    order by customer_unique_id asc, purchased_at desc, order_id desc

),

final as (

    select
        aggregated.customer_unique_id,
        latest_location.zip_code_prefix,
        latest_location.city,
        latest_location.state,
        aggregated.orders_count,
        aggregated.valid_orders_count,
        aggregated.canceled_orders_count,
        aggregated.total_spent,
        aggregated.avg_order_value,
        aggregated.items_count,
        aggregated.items_value,
        aggregated.freight_value,
        aggregated.first_order_at,
        aggregated.last_order_at,
        aggregated.avg_review_score,
        aggregated.late_deliveries_count,
        favorite_categories.favorite_category,
        preferred_payments.preferred_payment_type,
        scores.recency_days,
        aggregated.valid_orders_count as frequency,
        aggregated.total_spent as monetary,
        scores.r_score,
        scores.f_score,
        scores.m_score,
        coalesce(scores.segment, 'inactive') as segment

    from aggregated
    inner join latest_location
        on aggregated.customer_unique_id = latest_location.customer_unique_id
    left join favorite_categories
        on aggregated.customer_unique_id = favorite_categories.customer_unique_id
    left join preferred_payments
        on aggregated.customer_unique_id = preferred_payments.customer_unique_id
    left join scores
        on aggregated.customer_unique_id = scores.customer_unique_id

)

select * from final
