{#- After a run in which nothing failed, tell PostgREST (channel pgrst) to reload its schema cache, once. -#}
{% macro notify_pgrst(results) -%}
    {%- if execute and flags.WHICH in ('run', 'build', 'seed') -%}
        {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list -%}
        {%- if failed | length == 0 -%}
            notify pgrst, 'reload schema'
        {%- else -%}
            select 1 /* {{ failed | length }} node(s) failed: PostgREST keeps its schema cache */
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
