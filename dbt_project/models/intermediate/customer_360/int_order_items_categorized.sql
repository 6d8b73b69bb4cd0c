-- Each order item with the category the dashboard shows: English name, else the Portuguese one.
with

items as (

    select * from {{ ref('stg_olist__order_items') }}

),

products as (

    select * from {{ ref('stg_olist__products') }}

),

translations as (

    select * from {{ ref('stg_olist__category_translations') }}

),

final as (

    select
        items.order_id,
        items.order_item_id,
        items.product_id,
        items.seller_id,
        items.price,
        items.freight_value,
        coalesce(translations.category_name_en, products.category_name_pt) as category_name

    from items
    left join products
        on items.product_id = products.product_id
    left join translations
        on products.category_name_pt = translations.category_name_pt

)

select * from final
