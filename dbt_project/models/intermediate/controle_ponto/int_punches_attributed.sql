-- Every punch with its employee: AFD punches attributed by PIS or CPF (1510 wall-clock times
-- re-anchored in the employee's zone, an ambiguous DST hour read as its first occurrence; unknown
-- identities keep a null employee_id) and punches added by the web clock or by HR. Disregarded punches
-- stay, flagged, with the reason.
with

punches as (

    select * from {{ ref('stg_ponto__punches') }}

),

employees as (

    select * from {{ ref('stg_ponto__employees') }}

),

adjustments as (

    select * from {{ ref('stg_ponto__punch_adjustments') }}

),

disregards as (

    select distinct on (punch_id)
        punch_id,
        reason,
        created_at,
        loaded_xid

    from adjustments
    where action = 'disregard'
    order by punch_id asc, created_at desc

),

afd as (

    select
        punches.punch_id,
        coalesce(by_pis.employee_id, by_cpf.employee_id) as employee_id,
        case
            when punches.local_punched_at is not null
                and coalesce(by_pis.timezone, by_cpf.timezone) is not null
                then {{ local_to_instant(
                    'punches.local_punched_at', 'coalesce(by_pis.timezone, by_cpf.timezone)'
                ) }}
            else punches.punched_at
        end as punched_at,
        punches.source,
        punches.rep_number,
        punches.nsr,
        punches.identifier_kind,
        punches.identifier,
        punches.crc_status,
        punches.crc_algorithm,
        case when punches.record_type = '7' then 'rep_p' else 'rep_c' end as rep_type,
        punches.file_id,
        punches.line_number,
        punches.loaded_at,
        punches.loaded_xid

    from punches
    left join employees as by_pis
        on punches.identifier_kind = 'pis'
        and punches.identifier = by_pis.pis
    left join employees as by_cpf
        on punches.identifier_kind = 'cpf'
        and punches.identifier = by_cpf.cpf

),

added as (

    select
        punch_id,
        employee_id,
        punched_at,
        case when action = 'register' then 'web' else 'hr' end as source,
        null::text as rep_number,
        null::bigint as nsr,
        null::text as identifier_kind,
        null::text as identifier,
        'absent' as crc_status,
        null::text as crc_algorithm,
        null::text as rep_type,
        null::bigint as file_id,
        null::integer as line_number,
        created_at as loaded_at,
        loaded_xid,
        action,
        reason

    from adjustments
    where action in ('register', 'include')

),

unioned as (

    select
        afd.*,
        'afd' as action,
        null::text as reason
    from afd
    union all
    select * from added

),

final as (

    select
        unioned.punch_id,
        unioned.employee_id,
        unioned.punched_at,
        unioned.source,
        unioned.rep_number,
        unioned.nsr,
        unioned.identifier_kind,
        unioned.identifier,
        unioned.crc_status,
        unioned.crc_algorithm,
        unioned.rep_type,
        unioned.file_id,
        unioned.line_number,
        disregards.punch_id is not null as is_disregarded,
        case
            when disregards.punch_id is not null then 'disregarded'
            when unioned.action = 'include' then 'included'
            else 'kept'
        end as adjustment_status,
        coalesce(disregards.reason, unioned.reason) as adjustment_reason,
        greatest(unioned.loaded_at, disregards.created_at) as changed_at,
        -- the newest transaction that changed the punch (loaded, added or disregarded it)
        greatest(unioned.loaded_xid, disregards.loaded_xid) as changed_xid

    from unioned
    left join disregards
        on unioned.punch_id = disregards.punch_id

)

select * from final
