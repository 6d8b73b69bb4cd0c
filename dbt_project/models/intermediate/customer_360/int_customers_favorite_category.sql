-- The category with the most items in a person's valid orders; ties go to the alphabetically first.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

items as (

    select * from {{ ref('int_order_items_categorized') }}

),

category_counts as (

    select
        orders.customer_unique_id,
        items.category_name,
        count(*) as items_count

    from items
    inner join orders
        on items.order_id = orders.order_id
    where orders.is_valid
        and items.category_name is not null
    group by orders.customer_unique_id, items.category_name

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
        customer_unique_id,
        category_name as favorite_category

    from ranked
    where category_rank = 1

)

select * from final
