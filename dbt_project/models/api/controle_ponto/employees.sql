with

employees as (

    select * from {{ ref('dim_employees') }}

),

final as (

    select
        employee_id,
        name,
        department,
        manager_id,
        schedule_code,
        timezone,
        hired_at,
        cpf,
        pis

    from employees

)

select * from final
