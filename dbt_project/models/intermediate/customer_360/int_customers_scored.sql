-- RFM scores and segment per person. Scores rank everyone, so this is one global pass over the compact
-- per-person table (one row per person, a few columns) each time dim_customers is built, which rewrites
-- only the people whose scores changed.
-- Recency is not stored: it moves for everyone each time as_of does (a new latest purchase). The api
-- view `customers` computes it at read time from as_of; r_score ranks by the last valid purchase date
-- ascending, which is the contract's order (recency_days descending) whatever as_of is.
with

customers as (

    select * from {{ ref('int_customers_aggregated') }}

),

measured as (

    select
        customers.customer_unique_id,
        customers.last_valid_purchase_date,
        customers.valid_orders_count as frequency,
        customers.total_spent as monetary

    from customers
    where customers.valid_orders_count > 0

),

scored as (

    select
        customer_unique_id,
        last_valid_purchase_date,
        frequency,
        monetary,
        ntile(5) over (order by last_valid_purchase_date asc, customer_unique_id asc) as r_score,
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
        last_valid_purchase_date,
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
