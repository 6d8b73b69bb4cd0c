with

source as (

    select * from {{ source('olist', 'olist_products') }}

),

renamed as (

    select
        product_id,
        product_category_name as category_name_pt,
        product_weight_g as weight_grams,
        product_photos_qty as photos_count,
        loaded_at

    from source

)

select * from renamed
