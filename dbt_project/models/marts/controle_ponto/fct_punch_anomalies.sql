{{ config(indexes=[
    {'columns': ['anomaly_id'], 'unique': True},
    {'columns': ['employee_id', 'work_date', 'anomaly_id']},
    {'columns': ['work_date', 'anomaly_id']},
]) }}
-- Everything HR should look at, one row per thing to look at. anomaly_id is unique by construction:
-- the kind and the key of what it is about (employee:date:jornada of the day, employee:date, a punch
-- id or a quarantine id). Dates are local dates of the employee's zone (the business zone when nobody
-- is known).
with

-- only the days and punches with something to look at go through the kinds below (the planner cannot
-- push each kind's condition below the lateral join: without these filters it read every day and punch)
daily as (

    select * from {{ ref('fct_timesheet_daily') }}
    where is_incomplete
        or needs_review
        or (is_absent and absence_category is null)
        or has_break_violation
        or has_rest_violation
        or has_overtime_over_limit

),

punches as (

    select * from {{ ref('fct_punches') }}
    where status in ('duplicate', 'unattributed')
        or crc_status = 'mismatch'

),

employees as (

    select * from {{ ref('stg_ponto__employees') }}

),

quarantine as (

    select * from {{ ref('stg_ponto__quarantine') }}

),

day_anomalies as (

    select
        kinds.kind,
        daily.employee_id || ':' || daily.work_date || ':' || daily.jornada_of_day as subject,
        daily.employee_id,
        daily.work_date,
        coalesce(daily.first_punch_at, daily.work_date::timestamptz) as occurred_at,
        daily.first_punch_id as punch_id,
        kinds.detail

    from daily
    cross join
        lateral (
            values
            (
                'incomplete_day', daily.is_incomplete,
                daily.punch_count || ' punches (odd): a punch is missing'
            ),
            (
                'needs_review', daily.needs_review,
                case daily.review_reason
                    when 'no_schedule'
                        then 'no work schedule: expected time unknown, no balance until HR confirms'
                    when 'implausible_length'
                        then 'worked ' || daily.worked_minutes
                            || ' min (over {{ var("ponto_max_worked_minutes") }}):'
                            || ' a forgotten punch? confirm or correct'
                    when 'long_pair'
                        then 'one pair over {{ var("ponto_max_pair_minutes") }} min:'
                            || ' a forgotten punch? confirm or correct'
                end
            ),
            (
                'unjustified_absence', daily.is_absent and daily.absence_category is null,
                'scheduled day without punches: ' || daily.expected_minutes
                || ' min of deficit unless justified'
            ),
            (
                'break_violation', daily.has_break_violation,
                'break ' || daily.break_minutes || ' min, '
                || daily.suppressed_break_minutes || ' min suppressed'
            ),
            (
                'rest_violation', daily.has_rest_violation,
                'rest ' || daily.rest_shortfall_minutes || ' min short of 11 h'
            ),
            (
                'overtime_over_limit', daily.has_overtime_over_limit,
                'overtime ' || (daily.overtime_50_minutes + daily.overtime_100_minutes)
                || ' min (limit {{ var("ponto_overtime_limit_minutes") }})'
            )
        ) as kinds (kind, applies, detail)
    where kinds.applies

),

punch_anomalies as (

    select
        kinds.kind,
        punches.punch_id::text as subject,
        punches.employee_id,
        (
            punches.punched_at at time zone coalesce(employees.timezone, '{{ var("business_time_zone") }}')
        )::date as work_date,
        punches.punched_at as occurred_at,
        punches.punch_id,
        kinds.detail

    from punches
    left join employees
        on punches.employee_id = employees.employee_id
    cross join
        lateral (
            values
            ('duplicate_punch', punches.status = 'duplicate', punches.reason),
            (
                'bad_crc', punches.crc_status = 'mismatch',
                'CRC mismatch on REP ' || punches.rep_number || ' NSR ' || punches.nsr
            ),
            (
                'unknown_identity', punches.status = 'unattributed',
                'no employee with this ' || upper(punches.identifier_kind) || ' (REP ' || punches.rep_number
                || ', NSR ' || punches.nsr || '): load the registry or register the person'
            )
        ) as kinds (kind, applies, detail)
    where kinds.applies

),

file_anomalies as (

    select
        case
            when quarantine.category in ('nsr_conflict', 'rep_p_chain_break') then quarantine.category
            when quarantine.kind = 'notice' then 'file_notice'
            else 'quarantined_line'
        end as kind,
        quarantine.quarantine_id::text as subject,
        null::text as employee_id,
        (quarantine.quarantined_at at time zone '{{ var("business_time_zone") }}')::date as work_date,
        quarantine.quarantined_at as occurred_at,
        null::bigint as punch_id,
        quarantine.file_name || ':' || quarantine.line_number || ': ' || quarantine.reason as detail

    from quarantine

),

anomalies as (

    select * from day_anomalies
    union all
    select * from punch_anomalies
    union all
    select * from file_anomalies

),

final as (

    select
        kind || ':' || subject as anomaly_id,
        kind,
        employee_id,
        work_date,
        occurred_at,
        punch_id,
        detail

    from anomalies

)

select * from final
