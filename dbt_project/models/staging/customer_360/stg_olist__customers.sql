with

source as (

    select * from {{ source('olist', 'olist_customers') }}

),

renamed as (

    select
        customer_id,
        customer_unique_id,
        customer_zip_code_prefix as zip_code_prefix,
        customer_city as city,
        upper(customer_state) as state,
        loaded_at,
        loaded_xid

    from source

)

select * from renamed
