with

source as (

    select * from {{ source('olist', 'olist_order_items') }}

),

renamed as (

    select
        order_id,
        order_item_id,
        product_id,
        seller_id,
        shipping_limit_date as shipping_limit_at,
        price,
        freight_value,
        loaded_at,
        loaded_xid

    from source

)

select * from renamed
