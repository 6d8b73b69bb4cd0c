with

source as (

    select * from {{ source('ponto', 'afd_punches') }}

),

renamed as (

    select
        punch_id,
        'afd' as source,
        rep_number,
        nsr,
        punched_at,
        local_punched_at,
        time_zone as load_time_zone,
        identifier_kind,
        identifier,
        record_type,
        layout,
        crc_status,
        crc_algorithm,
        file_id,
        line_number,
        loaded_at,
        loaded_xid

    from source

)

select * from renamed
