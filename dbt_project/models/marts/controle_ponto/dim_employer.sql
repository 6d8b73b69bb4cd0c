-- The employer and the time-keeping program (PTRP) the AEJ and the Espelho de Ponto name: the
-- identification loaded by `bi-dash ingest employer`, else the employer the clocks' AFD headers name
-- (the most recent one). The program's developer defaults to the employer.
with

registered as (

    select * from {{ ref('stg_ponto__employers') }}

),

from_clocks as (

    select * from {{ ref('stg_ponto__afd_headers') }}

),

chosen as (

    select
        employer_id,
        employer_id_type,
        employer_name,
        caepf,
        cno,
        time_zone,
        developer_id,
        developer_id_type,
        developer_name,
        developer_email,
        1 as preference,
        loaded_at

    from registered

    union all

    select
        employer_id,
        employer_id_type,
        employer_name,
        null as caepf,
        null as cno,
        '{{ var("business_time_zone") }}' as time_zone,
        null as developer_id,
        null as developer_id_type,
        null as developer_name,
        null as developer_email,
        2 as preference,
        loaded_at

    from from_clocks
    where employer_id ~ '^[0-9]+$'

),

final as (

    select
        employer_id,
        employer_id_type,
        employer_name,
        caepf,
        cno,
        time_zone,
        coalesce(developer_id, employer_id) as developer_id,
        coalesce(developer_id_type, employer_id_type) as developer_id_type,
        coalesce(developer_name, employer_name) as developer_name,
        coalesce(developer_email, 'ponto@localhost') as developer_email,
        'bi-dash' as program_name,
        left('{{ var("program_version") }}', 8) as program_version,
        -- AEJ text fields: never a |, CR or LF, cut to their maximum size
        left(regexp_replace(employer_name, '[|\r\n]', ' ', 'g'), 150) as aej_employer_name,
        left(regexp_replace(coalesce(developer_name, employer_name), '[|\r\n]', ' ', 'g'), 150)
            as aej_developer_name,
        left(coalesce(developer_email, 'ponto@localhost'), 50) as aej_developer_email

    from chosen
    order by preference asc, loaded_at desc
    limit 1

)

select * from final
