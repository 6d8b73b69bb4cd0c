with

source as (

    select * from {{ source('olist', 'olist_order_payments') }}

),

renamed as (

    select
        order_id,
        payment_sequential,
        payment_type,
        payment_installments as installments,
        payment_value,
        loaded_at,
        loaded_xid

    from source

)

select * from renamed
