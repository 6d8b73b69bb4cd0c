with

source as (

    select * from {{ source('ponto', 'employees') }}

),

renamed as (

    select
        employee_id,
        name,
        cpf,
        pis,
        department,
        manager_id,
        schedule_code,
        timezone,
        hired_at,
        job_title,
        origin,
        loaded_at,
        loaded_xid

    from source

)

select * from renamed
