with

punches as (

    select * from {{ ref('fct_punches') }}

),

final as (

    select
        punch_id,
        employee_id,
        punched_at,
        source,
        rep_number,
        nsr,
        status,
        reason

    from punches

)

select * from final
