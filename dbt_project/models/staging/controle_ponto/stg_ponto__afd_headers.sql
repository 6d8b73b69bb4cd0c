with

source as (

    select * from {{ source('ponto', 'afd_records') }}
    where record_type = '1'

),

renamed as (

    select
        rep_number,
        payload ->> 'employer_id_type' as employer_id_type,
        case
            when payload ->> 'employer_id_type' = '2' then right(payload ->> 'employer_id', 11)
            else payload ->> 'employer_id'
        end as employer_id,
        payload ->> 'company_name' as employer_name,
        loaded_at

    from source

)

select * from renamed
