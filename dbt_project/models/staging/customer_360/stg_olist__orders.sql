with

source as (

    select * from {{ source('olist', 'olist_orders') }}

),

renamed as (

    select
        order_id,
        customer_id,
        order_status as status,
        order_purchase_timestamp as purchased_at,
        order_approved_at as approved_at,
        order_delivered_carrier_date as delivered_to_carrier_at,
        order_delivered_customer_date as delivered_at,
        order_estimated_delivery_date as estimated_delivery_at,
        order_status not in {{ sql_values(var('invalid_order_statuses')) }} as is_valid,
        loaded_at,
        loaded_xid

    from source

)

select * from renamed
