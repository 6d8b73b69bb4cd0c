-- Punches with the employee they belong to (by PIS or CPF). 1510 wall-clock times are re-anchored
-- in the employee's zone; unknown identities keep a null employee_id (listed as anomalies).
with

punches as (

    select * from {{ ref('stg_ponto__punches') }}

),

employees as (

    select * from {{ ref('stg_ponto__employees') }}

),

attributed as (

    select
        punches.punch_id,
        punches.source,
        punches.rep_number,
        punches.nsr,
        punches.identifier_kind,
        punches.identifier,
        punches.crc_status,
        punches.file_id,
        punches.line_number,
        punches.loaded_at,
        punches.local_punched_at,
        punches.punched_at as loaded_punched_at,
        coalesce(by_pis.employee_id, by_cpf.employee_id) as employee_id,
        coalesce(by_pis.timezone, by_cpf.timezone, punches.load_time_zone) as employee_time_zone

    from punches
    left join employees as by_pis
        on punches.identifier_kind = 'pis'
        and punches.identifier = by_pis.pis
    left join employees as by_cpf
        on punches.identifier_kind = 'cpf'
        and punches.identifier = by_cpf.cpf

),

final as (

    select
        punch_id,
        employee_id,
        case
            when local_punched_at is not null and employee_time_zone is not null
                then local_punched_at at time zone employee_time_zone
            else loaded_punched_at
        end as punched_at,
        employee_time_zone,
        source,
        rep_number,
        nsr,
        identifier_kind,
        identifier,
        crc_status,
        file_id,
        line_number,
        loaded_at

    from attributed

)

select * from final
