-- depends_on: {{ ref('dim_employees') }} (its row-level security policies read the team from it)
-- Everything HR should look at: incomplete days, violations, duplicates, unknown identities,
-- punches with a bad CRC and AFD lines that were quarantined or revealed file problems.
with

daily as (

    select * from {{ ref('fct_timesheet_daily') }}

),

punches as (

    select * from {{ ref('fct_punches') }}

),

attributed as (

    select * from {{ ref('int_punches_attributed') }}

),

quarantine as (

    select * from {{ source('ponto', 'quarantine') }}
    where source = 'afd'

),

anomalies as (

    select 'incomplete_day' as kind, employee_id, work_date, first_punch_at as occurred_at,
        punch_count || ' punches (odd): a punch is missing' as detail
    from daily where is_incomplete
    union all
    select 'break_violation', employee_id, work_date, first_punch_at,
        'break ' || break_minutes || ' min, ' || suppressed_break_minutes || ' min suppressed'
    from daily where has_break_violation
    union all
    select 'rest_violation', employee_id, work_date, first_punch_at,
        'rest ' || rest_shortfall_minutes || ' min short of 11 h'
    from daily where has_rest_violation
    union all
    select 'overtime_over_limit', employee_id, work_date, first_punch_at,
        'overtime ' || (overtime_50_minutes + overtime_100_minutes) || ' min (limit 120)'
    from daily where has_overtime_over_limit
    union all
    select 'duplicate_punch', employee_id, (punched_at at time zone 'UTC')::date, punched_at, reason
    from punches where status = 'duplicate'
    union all
    select 'bad_crc', employee_id, (punched_at at time zone 'UTC')::date, punched_at,
        'CRC mismatch on REP ' || rep_number || ' NSR ' || nsr
    from punches where crc_status = 'mismatch'
    union all
    select 'unknown_identity', null, (punched_at at time zone 'UTC')::date, punched_at,
        'no employee with ' || identifier_kind || ' ' || identifier || ' (REP ' || rep_number || ', NSR ' || nsr || ')'
    from attributed where employee_id is null
    union all
    select 'quarantined_line', null, quarantined_at::date, quarantined_at,
        file_name || ':' || line_number || ': ' || reason
    from quarantine

),

final as (

    select
        md5(kind || coalesce(employee_id, '') || coalesce(occurred_at::text, '') || detail) as anomaly_id,
        kind,
        employee_id,
        work_date,
        occurred_at,
        detail

    from anomalies

)

select * from final
