{{ config(
    materialized='incremental',
    unique_key='punch_id',
    indexes=[
        {'columns': ['punch_id'], 'unique': True},
        {'columns': ['employee_id', 'punched_at']},
        {'columns': ['computed_at']},
    ],
) }}
-- Every punch with its status: kept, duplicate (disregarded by the 2-minute rule, never deleted),
-- included by HR, disregarded by HR (with the reason), or unattributed (no employee has its PIS/CPF yet:
-- only HR sees those rows). Incremental on punch_id.
-- both import CTEs are read twice in an incremental build: `not materialized`, each reading is planned
-- with its filter instead of copying every punch first (macros/customer_360_changes.sql says why)
with

attributed as not materialized (

    select * from {{ ref('int_punches_attributed') }}

),

classified as not materialized (

    select * from {{ ref('int_punches_classified') }}

),

{% if is_incremental() %}
touched as (

    -- punches whose classification or whose attribution (employee, time, adjustment) a build wrote
    -- since this table's last one
    select punch_id from classified where classified_at > {{ watermark('computed_at') }}
    union
    select punch_id from attributed where attributed_at > {{ watermark('computed_at') }}

),
{% endif %}

final as (

    select
        attributed.punch_id,
        attributed.employee_id,
        attributed.punched_at,
        attributed.source,
        attributed.rep_number,
        attributed.nsr,
        case
            when attributed.is_disregarded then 'disregarded'
            when attributed.employee_id is null then 'unattributed'
            when classified.is_duplicate then 'duplicate'
            else attributed.adjustment_status
        end as status,
        case
            when attributed.is_disregarded then attributed.adjustment_reason
            when attributed.employee_id is null
                then 'no employee with this ' || upper(attributed.identifier_kind) || ' (see punch_anomalies)'
            when classified.is_duplicate
                then 'within {{ var("ponto_duplicate_window_minutes") }} minutes of the previous kept punch'
            else attributed.adjustment_reason
        end as reason,
        classified.jornada_number,
        attributed.crc_status,
        attributed.crc_algorithm,
        attributed.rep_type,
        attributed.identifier_kind,
        attributed.file_id,
        attributed.line_number,
        {{ run_started_at_literal() }} as computed_at

    from attributed
    left join classified
        on attributed.punch_id = classified.punch_id
    {% if is_incremental() %}
    where attributed.punch_id in (select touched.punch_id from touched)
    {% endif %}

)

select * from final
