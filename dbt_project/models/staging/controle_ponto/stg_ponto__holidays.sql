with

source as (

    select * from {{ source('ponto', 'local_holidays') }}

),

renamed as (

    select
        holiday_date,
        scope,
        name as holiday_name

    from source

)

select * from renamed
