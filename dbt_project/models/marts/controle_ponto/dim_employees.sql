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
        hired_at

    from employees

)

select * from final
