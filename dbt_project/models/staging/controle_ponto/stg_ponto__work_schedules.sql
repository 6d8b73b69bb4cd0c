with

source as (

    select * from {{ source('ponto', 'work_schedules') }}

),

renamed as (

    select
        schedule_code,
        weekday,
        intervals,
        loaded_at,
        loaded_xid

    from source

)

select * from renamed
