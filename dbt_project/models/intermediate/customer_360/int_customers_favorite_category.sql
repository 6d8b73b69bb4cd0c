-- The category with the most items in a person's valid orders; ties go to the alphabetically first.
-- One row per person with an order (null when no valid order has a categorized item), so an
-- incremental run that recomputes a person replaces the old row. Incremental as int_customers_aggregated.
-- import CTEs read several times are `not materialized` (macros/customer_360_changes.sql)
with

orders as not materialized (

    select * from {{ ref('int_orders_summarized') }}

),

items as (

    select * from {{ ref('int_order_items_categorized') }}

),

-- every order of the people whose orders this run rewrote (macros/customer_360_changes.sql)
scoped_orders as (

    select orders.*
    from orders
    {{ where_customer_touched('orders') }}

),

category_counts as (

    select
        scoped_orders.customer_unique_id,
        items.category_name,
        count(*) as items_count

    from items
    inner join scoped_orders
        on items.order_id = scoped_orders.order_id
    where scoped_orders.is_valid
        and items.category_name is not null
    group by scoped_orders.customer_unique_id, items.category_name

),

people as (

    select distinct scoped_orders.customer_unique_id from scoped_orders

),

ranked as (

    select
        customer_unique_id,
        category_name,
        row_number() over (
            partition by customer_unique_id
            order by items_count desc, category_name asc
        ) as category_rank

    from category_counts

),

final as (

    select
        people.customer_unique_id,
        ranked.category_name as favorite_category

    from people
    left join ranked
        on people.customer_unique_id = ranked.customer_unique_id
        and ranked.category_rank = 1

)

select * from final
