with

employees as (

    select * from {{ ref('stg_ponto__employees') }}

),

final as (

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
        job_title

    from employees

)

select * from final
