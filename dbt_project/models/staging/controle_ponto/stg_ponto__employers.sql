with

source as (

    select * from {{ source('ponto', 'employers') }}

),

renamed as (

    select
        employer_id,
        case when length(employer_id) = 14 then '1' else '2' end as employer_id_type,
        name as employer_name,
        caepf,
        cno,
        time_zone,
        developer_id,
        case when length(developer_id) = 14 then '1' when developer_id is not null then '2' end
            as developer_id_type,
        developer_name,
        developer_email,
        loaded_at

    from source

)

select * from renamed
