-- Lines of AFD files that did not load (rejected) or that reveal a problem of the file (notice).
with

source as (

    select * from {{ source('ponto', 'quarantine') }}
    where source = 'afd'

),

renamed as (

    select
        quarantine_id,
        file_id,
        file_name,
        line_number,
        raw_text,
        reason,
        kind,
        category,
        quarantined_at

    from source

)

select * from renamed
