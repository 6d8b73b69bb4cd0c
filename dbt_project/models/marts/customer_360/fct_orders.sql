{{
    config(
        materialized='incremental',
        unique_key='order_id',
        indexes=[
            {'columns': ['order_id'], 'unique': True},
            {'columns': ['customer_unique_id', 'purchased_at']},
            {'columns': ['purchase_date']},
            {'columns': ['state']},
        ],
    )
}}
-- One row per order with its customer (person), items, payments and reviews, as published.
-- Incremental: a refresh copies the orders int_orders_summarized rewrote in the same run.
with

orders as (

    select * from {{ ref('int_orders_summarized') }}

),

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.customer_unique_id,
        orders.status,
        orders.is_valid,
        orders.purchased_at,
        orders.approved_at,
        orders.delivered_to_carrier_at,
        orders.delivered_at,
        orders.estimated_delivery_at,
        orders.purchase_date,
        orders.is_delivered,
        orders.is_late,
        orders.delivery_days,
        orders.items_count,
        orders.items_value,
        orders.freight_value,
        orders.payment_value,
        orders.payment_types_list,
        orders.max_installments,
        orders.reviews_count,
        orders.review_score_sum,
        orders.review_score,
        orders.zip_code_prefix,
        orders.city,
        orders.state,
        orders.source_loaded_at

    from orders
    {% if is_incremental() -%}
    where {{ rewritten('orders') }}
    {%- endif %}

)

select * from final
