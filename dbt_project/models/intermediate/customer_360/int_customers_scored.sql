-- RFM scores and segment per person, relative to as_of (var `as_of`, default: the latest purchase date).
-- Scores rank everyone, so this is one global pass over the compact per-person table (one row per
-- person, a few columns) each time dim_customers is built, which rewrites only the people whose
-- scores changed.
with

customers as (

    select * from {{ ref('int_customers_aggregated') }}

),

-- one row (the local date of the latest purchase is the latest local purchase date)
as_of as (

    {% if var('as_of', none) -%}
    select '{{ var("as_of") }}'::date as as_of_date
    {%- else -%}
    select (max(customers.last_order_at) at time zone '{{ var("business_time_zone") }}')::date as as_of_date
    from customers
    {%- endif %}

),

measured as (

    select
        customers.customer_unique_id,
        as_of.as_of_date,
        as_of.as_of_date - customers.last_valid_purchase_date as recency_days,
        customers.valid_orders_count as frequency,
        customers.total_spent as monetary

    from customers
    cross join as_of
    where customers.valid_orders_count > 0

),

scored as (

    select
        customer_unique_id,
        as_of_date,
        recency_days,
        frequency,
        monetary,
        ntile(5) over (order by recency_days desc, customer_unique_id asc) as r_score,
        case
            when frequency >= 6 then 5
            when frequency >= 4 then 4
            else frequency::integer
        end as f_score,
        ntile(5) over (order by monetary asc, customer_unique_id asc) as m_score

    from measured

),

final as (

    select
        customer_unique_id,
        as_of_date,
        recency_days,
        frequency,
        monetary,
        r_score,
        f_score,
        m_score,
        case
            when r_score >= 4 and f_score >= 4 and m_score >= 4 then 'champions'
            when f_score >= 4 then 'loyal'
            when r_score = 5 and f_score = 1 then 'new'
            when r_score <= 2 and f_score >= 3 then 'at_risk'
            when r_score = 1 then 'lost'
            else 'regular'
        end as segment

    from scored

)

select * from final
