with

source as (

    select * from {{ source('ponto', 'punch_adjustments') }}

),

renamed as (

    select
        adjustment_id,
        employee_id,
        action,
        punch_id,
        punched_at,
        reason,
        created_by,
        created_at,
        loaded_xid

    from source

)

select * from renamed
