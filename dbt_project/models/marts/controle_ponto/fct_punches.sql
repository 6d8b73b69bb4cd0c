{{ config(indexes=[{'columns': ['punch_id'], 'unique': True}, {'columns': ['employee_id', 'punched_at']}]) }}
-- Every attributed punch with its status: kept, or duplicate (disregarded by rule, never deleted).
with

attributed as (

    select * from {{ ref('int_punches_attributed') }}
    where employee_id is not null

),

classified as (

    select * from {{ ref('int_punches_classified') }}

),

final as (

    select
        attributed.punch_id,
        attributed.employee_id,
        attributed.punched_at,
        attributed.source,
        attributed.rep_number,
        attributed.nsr,
        case when classified.is_duplicate then 'duplicate' else 'kept' end as status,
        case
            when classified.is_duplicate
                then 'within {{ var("ponto_duplicate_window_minutes") }} minutes of the previous kept punch'
        end as reason,
        classified.jornada_number,
        attributed.crc_status,
        attributed.file_id,
        attributed.line_number

    from attributed
    inner join classified
        on attributed.punch_id = classified.punch_id

)

select * from final
