{#-
  Statistics for a table as soon as it is built. The shadow build is published minutes before
  autovacuum would analyze it: meanwhile the planner guessed (a bitmap scan and a sort where the
  index on (state, total_spent) serves a 50-row page in order), and so did the build's own later
  models reading these tables.
  An incremental build keeps its table and the statistics it had: it is analyzed again only when this
  build changed more of it than autovacuum lets pass (50 rows plus a tenth, its defaults), counted in
  this transaction (the hook runs in the model's), or when it never was (a copy of the published table
  that a shadow build starts from). A one-day refresh no longer samples every large
  incremental table (0.1-0.4 s each at 1,000 employees x 180 days); autovacuum still catches the drift
  of many small refreshes.
-#}
{% macro analyze_table() -%}
    {%- if config.get('materialized') == 'table' or (config.get('materialized') == 'incremental' and not is_incremental()) -%}
        analyze {{ this }}
    {%- elif config.get('materialized') == 'incremental' -%}
        do $analyze$
        begin
            if (
                select pg_class.reltuples < 0
                    or coalesce(pg_stat_get_last_analyze_time(pg_class.oid), pg_stat_get_last_autoanalyze_time(pg_class.oid))
                    is null
                    or pg_stat_get_xact_tuples_inserted(pg_class.oid)
                    + pg_stat_get_xact_tuples_updated(pg_class.oid)
                    + pg_stat_get_xact_tuples_deleted(pg_class.oid)
                    > 50 + 0.1 * pg_class.reltuples
                from pg_class
                where pg_class.oid = '{{ this }}'::regclass
            ) then
                analyze {{ this }};
            end if;
        end
        $analyze$
    {%- endif -%}
{%- endmacro %}
