-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    employee_id,
    month,
    jornadas_count,
    incomplete_days,
    review_days,
    absences_count,
    justified_absences,
    worked_minutes,
    night_minutes,
    legal_worked_minutes,
    expected_minutes,
    overtime_50_minutes,
    overtime_100_minutes,
    deficit_minutes,
    balance_minutes,
    break_violations,
    rest_violations,
    overtime_over_limit_days,
    hour_bank_balance_minutes
from {{ ref('fct_timesheet_monthly') }}
