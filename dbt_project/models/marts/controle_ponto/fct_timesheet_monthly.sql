{{ config(indexes=[
    {'columns': ['employee_id', 'month'], 'unique': True},
    {'columns': ['month', 'employee_id']},
]) }}
-- Monthly totals per employee and the hour bank (rule 10): balances carried across months. Days that
-- are incomplete or need review count no balance until HR corrects or confirms them; unjustified
-- absences count their deficit.
with

daily as (

    select * from {{ ref('fct_timesheet_daily') }}

),

monthly as (

    select
        employee_id,
        date_trunc('month', work_date)::date as month,
        count(*) filter (where not is_absent) as jornadas_count,
        count(*) filter (where is_incomplete) as incomplete_days,
        count(*) filter (where needs_review) as review_days,
        count(*) filter (where is_absent) as absences_count,
        count(*) filter (where is_absent and absence_category is not null) as justified_absences,
        sum(worked_minutes) as worked_minutes,
        sum(night_minutes) as night_minutes,
        sum(legal_worked_minutes) as legal_worked_minutes,
        sum(expected_minutes) as expected_minutes,
        coalesce(sum(overtime_50_minutes), 0) as overtime_50_minutes,
        coalesce(sum(overtime_100_minutes), 0) as overtime_100_minutes,
        coalesce(sum(deficit_minutes), 0) as deficit_minutes,
        coalesce(sum(balance_minutes), 0) as balance_minutes,
        count(*) filter (where has_break_violation) as break_violations,
        count(*) filter (where has_rest_violation) as rest_violations,
        count(*) filter (where has_overtime_over_limit) as overtime_over_limit_days

    from daily
    group by employee_id, date_trunc('month', work_date)

),

final as (

    select
        *,
        sum(balance_minutes) over (
            partition by employee_id order by month rows between unbounded preceding and current row
        ) as hour_bank_balance_minutes

    from monthly

)

select * from final
