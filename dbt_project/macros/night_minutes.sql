{#- Clock minutes of [start, end) (local timestamps) inside the night windows 22:00-05:00 (CLT art. 73). -#}
{% macro night_minutes(start_at, end_at) -%}
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

{#- The 05:00 that ends a night window fully covered by [first, last] (Súmula 60 II), else null. -#}
{% macro covered_night_end(first_at, last_at) -%}
    (
        select min(night.day + interval '29 hours')
        from generate_series(
            date_trunc('day', {{ first_at }}) - interval '1 day', {{ last_at }}, interval '1 day'
        ) as night (day)
        where {{ first_at }} <= night.day + interval '22 hours'
            and {{ last_at }} >= night.day + interval '29 hours'
    )
{%- endmacro %}

{#- Minutes of [start, end) after a given instant (0 when the instant is null). -#}
{% macro minutes_after(start_at, end_at, instant) -%}
    case
        when {{ instant }} is null then 0
        else greatest(0, extract(epoch from ({{ end_at }} - greatest({{ start_at }}, {{ instant }}))) / 60.0)
    end
{%- endmacro %}

{#- Legal minutes: night minutes count 60/52.5 = 8/7 (reduced night hour). -#}
{% macro legal_minutes(worked, night) -%}
    ({{ worked }} - {{ night }} + {{ night }} * 8.0 / 7.0)
{%- endmacro %}
