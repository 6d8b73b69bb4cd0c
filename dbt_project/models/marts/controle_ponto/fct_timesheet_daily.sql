{{ config(
    indexes=[
        {'columns': ['employee_id', 'work_date', 'jornada_of_day'], 'unique': True},
        {'columns': ['work_date']},
    ],
) }}
-- One row per jornada (a work day; overnight shifts stay in the row of their first punch's date) and per
-- absence, with what HR and payroll read: the balance counts only when the day is complete and nothing
-- needs review (no schedule, a jornada over 12 h worked or a pair over 10 h) or HR confirmed it; it then
-- splits into overtime at 50 % or 100 % (holidays and unscheduled Sundays) and deficit (rule 7).
-- Absences: deficit = expected time, 0 when HR justified the absence (abono).
with

jornadas as (

    select * from {{ ref('int_jornadas') }}

),

absences as (

    select * from {{ ref('int_absences') }}

),

confirmations as (

    select distinct punch_id
    from {{ ref('stg_ponto__punch_adjustments') }}
    where action = 'confirm'

),

jornada_days as (

    select
        jornadas.employee_id,
        jornadas.work_date,
        jornadas.jornada_of_day,
        jornadas.jornada_number,
        jornadas.punch_count,
        jornadas.first_punch_id,
        jornadas.first_punch_at,
        jornadas.last_punch_at,
        jornadas.worked_minutes,
        jornadas.night_minutes,
        jornadas.legal_worked_minutes,
        jornadas.expected_minutes,
        jornadas.review_reason is not null and confirmations.punch_id is null as needs_review,
        jornadas.review_reason,
        confirmations.punch_id is not null as is_confirmed,
        case
            when jornadas.review_reason is not null and confirmations.punch_id is null then null
            else jornadas.balance_minutes
        end as balance_minutes,
        jornadas.break_minutes,
        jornadas.is_incomplete,
        jornadas.has_prenoted_break,
        jornadas.has_break_violation,
        jornadas.suppressed_break_minutes,
        jornadas.has_rest_violation,
        jornadas.rest_shortfall_minutes,
        jornadas.is_holiday,
        jornadas.is_holiday or jornadas.is_unscheduled_sunday as is_rest_day_work,
        false as is_absent,
        null::text as absence_category,
        null::text as absence_reason

    from jornadas
    left join confirmations
        on jornadas.first_punch_id = confirmations.punch_id

),

absence_days as (

    select
        employee_id,
        work_date,
        1::bigint as jornada_of_day,
        null::integer as jornada_number,
        0::bigint as punch_count,
        null::bigint as first_punch_id,
        null::timestamptz as first_punch_at,
        null::timestamptz as last_punch_at,
        0::numeric as worked_minutes,
        0::numeric as night_minutes,
        0::numeric as legal_worked_minutes,
        round(expected_minutes, 2) as expected_minutes,
        false as needs_review,
        null::text as review_reason,
        false as is_confirmed,
        case when justification_category is null then -round(expected_minutes, 2) else 0 end
            as balance_minutes,
        0::numeric as break_minutes,
        false as is_incomplete,
        false as has_prenoted_break,
        false as has_break_violation,
        0::numeric as suppressed_break_minutes,
        false as has_rest_violation,
        0::numeric as rest_shortfall_minutes,
        false as is_holiday,
        false as is_rest_day_work,
        true as is_absent,
        justification_category as absence_category,
        justification_reason as absence_reason

    from absences

),

days as (

    select * from jornada_days
    union all
    select * from absence_days

),

final as (

    select
        employee_id,
        work_date,
        jornada_of_day,
        jornada_number,
        punch_count,
        first_punch_id,
        first_punch_at,
        last_punch_at,
        worked_minutes,
        night_minutes,
        legal_worked_minutes,
        expected_minutes,
        balance_minutes,
        case
            when balance_minutes > 0 and not is_rest_day_work then balance_minutes
            when balance_minutes is not null then 0
        end::numeric(10, 2) as overtime_50_minutes,
        case
            when balance_minutes > 0 and is_rest_day_work then balance_minutes
            when balance_minutes is not null then 0
        end::numeric(10, 2) as overtime_100_minutes,
        case
            when balance_minutes < 0 then -balance_minutes
            when balance_minutes is not null then 0
        end::numeric(10, 2) as deficit_minutes,
        break_minutes,
        is_incomplete,
        needs_review,
        review_reason,
        is_confirmed,
        is_absent,
        absence_category,
        absence_reason,
        has_prenoted_break,
        has_break_violation,
        suppressed_break_minutes,
        has_rest_violation,
        rest_shortfall_minutes,
        coalesce(balance_minutes > {{ var('ponto_overtime_limit_minutes') }}, false)
            as has_overtime_over_limit,
        is_holiday

    from days

)

select * from final
