-- Rule 5 (absences): a scheduled working day (expected time > 0, not a holiday, on or after hiring)
-- without any jornada is an absence, whose deficit reaches the hour bank unless HR justified it
-- (abono, api.justify_absence; the latest justification of the day applies).
-- Only days the clocks covered count: days on which somebody punched, before today (a day in progress is
-- not an absence yet; a day nobody punched, such as a collective day off, is nobody's absence; a stray
-- old punch does not make everyone absent for years).
with

employees as (

    select * from {{ ref('stg_ponto__employees') }}
    where schedule_code is not null

),

schedule_days as (

    select * from {{ ref('int_schedule_days') }}
    where expected_legal_minutes > 0

),

holidays as (

    select distinct holiday_date from {{ ref('stg_ponto__holidays') }}

),

jornadas as (

    select * from {{ ref('int_jornadas') }}

),

justifications as (

    select distinct on (employee_id, absence_date)
        employee_id,
        absence_date,
        category,
        reason

    from {{ ref('stg_ponto__absence_justifications') }}
    order by employee_id asc, absence_date asc, created_at desc, justification_id desc

),

covered_days as (

    select distinct work_date
    from jornadas
    where work_date < current_date

),

scheduled_days as (

    select
        employees.employee_id,
        covered_days.work_date,
        schedule_days.expected_legal_minutes

    from employees
    cross join covered_days
    inner join schedule_days
        on employees.schedule_code = schedule_days.schedule_code
        and extract(isodow from covered_days.work_date)::integer = schedule_days.weekday
    where covered_days.work_date >= coalesce(employees.hired_at, covered_days.work_date)

),

final as (

    select
        scheduled_days.employee_id,
        scheduled_days.work_date,
        scheduled_days.expected_legal_minutes as expected_minutes,
        justifications.category as justification_category,
        justifications.reason as justification_reason

    from scheduled_days
    left join holidays
        on scheduled_days.work_date = holidays.holiday_date
    left join justifications
        on scheduled_days.employee_id = justifications.employee_id
        and scheduled_days.work_date = justifications.absence_date
    where holidays.holiday_date is null
        and not exists (
            select from jornadas
            where jornadas.employee_id = scheduled_days.employee_id
                and jornadas.work_date = scheduled_days.work_date
        )

)

select * from final
