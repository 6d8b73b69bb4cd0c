{#- Layers live in fixed schemas (staging, intermediate, marts, api), not <target>_<layer>.
    A refresh builds beside the served data: with --vars '{schema_suffix: __next}' every layer goes to
    <layer>__next, checked there and published by renaming (orchestration/publish.py). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ var('schema_suffix', '') }}
    {%- endif -%}
{%- endmacro %}
