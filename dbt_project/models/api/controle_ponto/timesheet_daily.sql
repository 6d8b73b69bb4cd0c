with

daily as (

    select * from {{ ref('fct_timesheet_daily') }}

),

final as (

    select
        employee_id,
        work_date,
        jornada_of_day,
        punch_count,
        first_punch_at,
        last_punch_at,
        worked_minutes,
        night_minutes,
        legal_worked_minutes,
        expected_minutes,
        balance_minutes,
        overtime_50_minutes,
        overtime_100_minutes,
        deficit_minutes,
        break_minutes,
        is_incomplete,
        has_break_violation,
        suppressed_break_minutes,
        has_rest_violation,
        rest_shortfall_minutes,
        has_overtime_over_limit,
        is_holiday

    from daily

)

select * from final
