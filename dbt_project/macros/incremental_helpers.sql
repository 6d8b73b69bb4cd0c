{#- The instant of this dbt invocation, as stored in the *_at bookkeeping columns of incremental models. -#}
{% macro run_started_at_literal() -%}
    '{{ run_started_at.isoformat() }}'::timestamptz
{%- endmacro %}

{#- Latest value of a bookkeeping column of this model (-infinity on the first build). -#}
{% macro watermark(column) -%}
    (select coalesce(max({{ column }}), '-infinity'::timestamptz) from {{ this }})
{%- endmacro %}

{#- After an incremental build: rows of the employees whose history was rewritten from `from_column`
    onwards in this run, but that this run did not rewrite, are stale (e.g. a disregarded punch). -#}
{% macro delete_stale_rows(written_at_column, from_column) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as stale
    using (
        select employee_id, min({{ from_column }}) as rewritten_from
        from {{ this }}
        where {{ written_at_column }} = {{ run_started_at_literal() }}
        group by employee_id
    ) as rewritten
    where stale.employee_id = rewritten.employee_id
        and stale.{{ from_column }} >= rewritten.rewritten_from
        and stale.{{ written_at_column }} < {{ run_started_at_literal() }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}
