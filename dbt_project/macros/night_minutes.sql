{#- Time rules of controle_ponto (rules 4-5 of the docs block ponto_rules): worked time is real elapsed time between
    timestamptz punches; the night window (22:00-05:00, CLT art. 73) and the schedule are read on the
    local wall clock of the employee's zone. -#}

{#- A local wall-clock timestamp in `zone` as an instant. An ambiguous time (the hour repeated when
    daylight-saving time ends) is its first, daylight occurrence; PostgreSQL alone would take the later
    one. A time that does not exist (skipped when DST begins) is read with the offset before the change.
    The Python loaders do the same (orchestration.ingest.afd.local_to_aware). -#}
{% macro local_to_instant(local_at, zone) -%}
    (case
        when ((({{ local_at }}) - interval '1 hour') at time zone {{ zone }} + interval '1 hour')
            at time zone {{ zone }} = ({{ local_at }})
            then least(
                ({{ local_at }}) at time zone {{ zone }},
                (({{ local_at }}) - interval '1 hour') at time zone {{ zone }} + interval '1 hour'
            )
        else ({{ local_at }}) at time zone {{ zone }}
    end)
{%- endmacro %}

{#- Elapsed minutes of [start, end) (timestamptz) that fall in a night window 22:00-05:00 of `zone`. -#}
{% macro night_minutes(start_at, end_at, zone) -%}
    (
        select coalesce(sum(greatest(0, extract(epoch from (
            least({{ end_at }}, (night.day + interval '29 hours') at time zone {{ zone }})
            - greatest({{ start_at }}, (night.day + interval '22 hours') at time zone {{ zone }})
        )) / 60.0)), 0)
        from generate_series(
            date_trunc('day', {{ start_at }} at time zone {{ zone }}) - interval '1 day',
            {{ end_at }} at time zone {{ zone }},
            interval '1 day'
        ) as night (day)
    )
{%- endmacro %}

{#- The 05:00 (as an instant) that ends the first night window fully covered by [first, last]
    (Súmula 60 II: work continued after a whole night is night work too), else null. -#}
{% macro covered_night_end(first_at, last_at, zone) -%}
    (
        select min((night.day + interval '29 hours') at time zone {{ zone }})
        from generate_series(
            date_trunc('day', {{ first_at }} at time zone {{ zone }}) - interval '1 day',
            {{ last_at }} at time zone {{ zone }},
            interval '1 day'
        ) as night (day)
        where {{ first_at }} <= (night.day + interval '22 hours') at time zone {{ zone }}
            and {{ last_at }} >= (night.day + interval '29 hours') at time zone {{ zone }}
    )
{%- endmacro %}

{#- Súmula 60 II extension of [start, end): its day-time minutes after the covered night's end (the
    minutes of a later night window are night minutes already: a jornada over two nights counts each
    night once). 0 when no night was covered. -#}
{% macro extension_minutes(start_at, end_at, covered_end, zone) -%}
    case
        when {{ covered_end }} is null or {{ end_at }} <= {{ covered_end }} then 0
        else extract(epoch from ({{ end_at }} - greatest({{ start_at }}, {{ covered_end }}))) / 60.0
            - {{ night_minutes('greatest(' ~ start_at ~ ', ' ~ covered_end ~ ')', end_at, zone) }}
    end
{%- endmacro %}

{#- Clock minutes of [start, end) (local timestamps, no zone) inside the night windows: the schedule's
    expected night time, read on the wall clock. -#}
{% macro wall_clock_night_minutes(start_at, end_at) -%}
    (
        select coalesce(sum(greatest(0, extract(epoch from (
            least({{ end_at }}, night.day + interval '29 hours')
            - greatest({{ start_at }}, night.day + interval '22 hours')
        )) / 60.0)), 0)
        from generate_series(
            date_trunc('day', {{ start_at }}) - interval '1 day', {{ end_at }}, interval '1 day'
        ) as night (day)
    )
{%- endmacro %}

{#- The wall-clock 05:00 ending a night window fully covered by [first, last] (local timestamps). -#}
{% macro wall_clock_covered_night_end(first_at, last_at) -%}
    (
        select min(night.day + interval '29 hours')
        from generate_series(
            date_trunc('day', {{ first_at }}) - interval '1 day', {{ last_at }}, interval '1 day'
        ) as night (day)
        where {{ first_at }} <= night.day + interval '22 hours'
            and {{ last_at }} >= night.day + interval '29 hours'
    )
{%- endmacro %}

{#- Minutes from one instant (or local time) to another, negative when the second comes first. -#}
{% macro minutes_between(from_at, to_at) -%}
    (extract(epoch from {{ to_at }} - {{ from_at }}) / 60.0)
{%- endmacro %}

{#- Minutes of [start, end) after a given instant (0 when the instant is null). -#}
{% macro minutes_after(start_at, end_at, instant) -%}
    case
        when {{ instant }} is null then 0
        else greatest(0, extract(epoch from ({{ end_at }} - greatest({{ start_at }}, {{ instant }}))) / 60.0)
    end
{%- endmacro %}

{#- Legal minutes: night minutes count 60/52.5 = 8/7 (reduced night hour, CLT art. 73 §1). -#}
{% macro legal_minutes(worked, night) -%}
    ({{ worked }} - {{ night }} + {{ night }} * 8.0 / 7.0)
{%- endmacro %}
