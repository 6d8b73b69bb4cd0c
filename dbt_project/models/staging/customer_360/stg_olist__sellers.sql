with

source as (

    select * from {{ source('olist', 'olist_sellers') }}

),

renamed as (

    select
        seller_id,
        seller_zip_code_prefix as zip_code_prefix,
        seller_city as city,
        upper(seller_state) as state,
        loaded_at

    from source

)

select * from renamed
