with

source as (

    select * from {{ source('ponto', 'absence_justifications') }}

),

renamed as (

    select
        justification_id,
        employee_id,
        absence_date,
        category,
        reason,
        created_by,
        created_at

    from source

)

select * from renamed
