{#- api views run with the privileges (and row-level security) of the caller, not of their owner. -#}
{% macro set_security_invoker() -%}
    {%- if model.config.materialized == 'view' -%}
        alter view {{ this }} set (security_invoker = true)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
