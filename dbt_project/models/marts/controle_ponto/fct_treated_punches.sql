{{ config(
    materialized='incremental',
    indexes=[
        {'columns': ['employee_id', 'jornada_number']},
        {'columns': ['employee_id', 'punched_at']},
    ],
    pre_hook=["{{ forget_retreated_punches() }}"],
    post_hook=["{{ forget_employees_without_punches(ref('fct_punches')) }}"],
) }}
-- The treated record of every punch, as Portaria 671 writes it in the AEJ (record 05) and the Espelho de
-- Ponto shows it (design doc ponto_outputs.md §1): per jornada, the kept punches alternate entry (E) and
-- exit (S) numbered by pair (E 001, S 001, E 002 …); a pre-noted break (art. 74 §2) adds its exit and
-- return as punches of source P at the scheduled times; duplicates and punches HR disregarded are D, with
-- the number of the pair they fall in and the reason. Sources: O (the clock's original), I (included by
-- HR, with the reason), P (pre-noted), T (another source: the web clock). Unattributed punches have no
-- employee and no jornada yet: they appear once somebody has their PIS/CPF.
-- Incremental: per employee, from the jornada before the first one int_jornadas rewrote this run
-- (macros/incremental_helpers.sql treated_punches_window); the rows from there are deleted first.
with

{% if is_incremental() %}
treated_window as (

    {{ treated_punches_window() }}

),
{% endif %}

punches as (

    select punches.*
    from {{ ref('fct_punches') }} as punches
    {% if is_incremental() %}
    inner join treated_window
        on punches.employee_id = treated_window.employee_id
        -- implied by what follows (a jornada's punches come at or after its first one): said apart, it
        -- lets the (employee_id, punched_at) index read the window's punches instead of every punch
        and punches.punched_at >= treated_window.from_at
        and (
            treated_window.from_jornada is null
            or case
                when punches.status in ('kept', 'included')
                    then punches.jornada_number >= treated_window.from_jornada
                else punches.punched_at >= treated_window.from_at
            end
        )
    {% endif %}
    where punches.employee_id is not null

),

jornadas as (

    select jornadas.*
    from {{ ref('int_jornadas') }} as jornadas
    {% if is_incremental() %}
    inner join treated_window
        on jornadas.employee_id = treated_window.employee_id
        and (
            treated_window.from_jornada is null
            or jornadas.jornada_number >= treated_window.from_jornada
        )
    {% endif %}

),

employees as (

    select * from {{ ref('stg_ponto__employees') }}

),

intervals as (

    select * from {{ ref('int_schedule_intervals') }}

),

timetables as (

    select * from {{ ref('dim_work_timetables') }}

),

kept as (

    select
        punches.punch_id,
        punches.employee_id,
        punches.jornada_number,
        punches.punched_at,
        punches.rep_number,
        punches.nsr,
        case punches.source when 'afd' then 'O' when 'hr' then 'I' else 'T' end as source_code,
        punches.reason

    from punches
    where punches.status in ('kept', 'included')

),

-- art. 74 §2: the scheduled break of a two-punch jornada, as an exit and a return of source P
prenoted as (

    select
        null::bigint as punch_id,
        jornadas.employee_id,
        jornadas.jornada_number,
        {{ local_to_instant('moments.local_at', 'employees.timezone') }} as punched_at,
        null::text as rep_number,
        null::bigint as nsr,
        'P' as source_code,
        null::text as reason

    from jornadas
    inner join employees
        on jornadas.employee_id = employees.employee_id
    inner join intervals as ending
        on employees.schedule_code = ending.schedule_code
        and extract(isodow from jornadas.work_date)::integer = ending.weekday
    inner join intervals as resuming
        on ending.schedule_code = resuming.schedule_code
        and ending.weekday = resuming.weekday
        and resuming.interval_number = ending.interval_number + 1
    cross join
        lateral (
            values
            (jornadas.work_date + ending.end_offset_minutes * interval '1 minute'),
            (jornadas.work_date + resuming.start_offset_minutes * interval '1 minute')
        ) as moments (local_at)
    where jornadas.has_prenoted_break

),

kept_and_prenoted as (

    select * from kept
    union all
    select * from prenoted

),

paired as (

    select
        *,
        row_number() over (
            partition by employee_id, jornada_number order by punched_at, source_code, punch_id
        ) as punch_position

    from kept_and_prenoted

),

marked as (

    select
        paired.punch_id,
        paired.employee_id,
        paired.jornada_number,
        paired.punched_at,
        paired.rep_number,
        paired.nsr,
        paired.source_code,
        paired.reason,
        case when paired.punch_position % 2 = 1 then 'E' else 'S' end as marker,
        ((paired.punch_position + 1) / 2)::integer as pair_number,
        2 * paired.punch_position as marker_order

    from paired

),

-- duplicates and HR-disregarded punches: D, in the pair of the last treated punch at or before them
-- (before the first one: the employee's first jornada, pair 1)
combined as (

    select
        punch_id,
        employee_id,
        jornada_number,
        punched_at,
        rep_number,
        nsr,
        source_code,
        reason,
        marker,
        pair_number,
        marker_order,
        false as is_set_aside

    from marked

    union all

    select
        punch_id,
        employee_id,
        null::integer as jornada_number,
        punched_at,
        rep_number,
        nsr,
        case source when 'afd' then 'O' when 'hr' then 'I' else 'T' end as source_code,
        reason,
        'D' as marker,
        null::integer as pair_number,
        null::bigint as marker_order,
        true as is_set_aside

    from punches
    where status in ('duplicate', 'disregarded')

),

grouped as (

    select
        *,
        count(*) filter (where not is_set_aside) over (
            partition by employee_id order by punched_at, is_set_aside, marker_order, punch_id
            rows between unbounded preceding and current row
        ) as treated_before,
        min(jornada_number) over (partition by employee_id) as first_jornada_number

    from combined

),

treated as (

    select
        punch_id,
        employee_id,
        case
            when not is_set_aside then jornada_number
            when treated_before = 0 then first_jornada_number
            else first_value(jornada_number) over same_group
        end as jornada_number,
        punched_at,
        rep_number,
        nsr,
        source_code,
        reason,
        marker,
        case
            when not is_set_aside then pair_number
            when treated_before = 0 then 1
            else first_value(pair_number) over same_group
        end as pair_number,
        -- right after the treated punch it follows
        case
            when not is_set_aside then marker_order
            when treated_before = 0 then 1
            else first_value(marker_order) over same_group + 1
        end as marker_order

    from grouped
    window same_group as (
        partition by employee_id, treated_before order by is_set_aside, punched_at, marker_order
    )

),

final as (

    select
        treated.punch_id,
        treated.employee_id,
        treated.jornada_number,
        jornadas.work_date,
        treated.punched_at,
        -- DH of the AEJ: local wall clock of the employee's zone, seconds 00, and its UTC offset
        to_char(treated.punched_at at time zone employees.timezone, 'YYYY-MM-DD"T"HH24:MI":00"')
        || case when offset_minutes.minutes < 0 then '-' else '+' end
        || to_char(abs(offset_minutes.minutes) / 60, 'FM00')
        || to_char(abs(offset_minutes.minutes) % 60, 'FM00')
            as local_date_time,
        treated.marker,
        treated.pair_number,
        treated.marker_order,
        treated.source_code,
        treated.rep_number,
        punches.rep_type,
        treated.nsr,
        treated.reason,
        coalesce(left(regexp_replace(treated.reason, '[|\r\n]', ' ', 'g'), 150), '') as aej_reason,
        coalesce(timetables.timetable_code, 'SEM_HORARIO') as timetable_code

    from treated
    inner join employees
        on treated.employee_id = employees.employee_id
    left join jornadas
        on treated.employee_id = jornadas.employee_id
        and treated.jornada_number = jornadas.jornada_number
    left join punches
        on treated.punch_id = punches.punch_id
    left join timetables
        on employees.schedule_code = timetables.schedule_code
        and extract(isodow from jornadas.work_date)::integer = timetables.weekday
    cross join lateral (  -- noqa: ST05
        select (
            extract(
                epoch from (treated.punched_at at time zone employees.timezone)
                - (treated.punched_at at time zone 'UTC')
            ) / 60
        )::integer as minutes
    ) as offset_minutes

)

select * from final
