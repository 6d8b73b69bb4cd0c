{#-
  Statistics for a table as soon as it is built. The shadow build is published minutes before
  autovacuum would analyze it: meanwhile the planner guessed (a bitmap scan and a sort where the
  index on (state, total_spent) serves a 50-row page in order), and so did the build's own later
  models reading these tables.
-#}
{% macro analyze_table() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
