{{ config(
    materialized='incremental',
    unique_key='punch_id',
    indexes=[
        {'columns': ['punch_id'], 'unique': True},
        {'columns': ['employee_id', 'punched_at']},
        {'columns': ['changed_xid']},
        {'columns': ['attributed_at']},
    ],
) }}
-- Every punch with its employee: AFD punches attributed by PIS or CPF (1510 wall-clock times
-- re-anchored in the employee's zone, an ambiguous DST hour read as its first occurrence; unknown
-- identities keep a null employee_id) and punches added by the web clock or by HR. Disregarded punches
-- stay, flagged, with the reason.
-- Incremental on punch_id: a build rewrites the punches loaded, added or disregarded since the last one,
-- those whose PIS or CPF an employee row loaded since carries, and those of employees whose row changed
-- or went (an AFD-made employee linked to the registry). Punches are never deleted from raw.
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

{% if is_incremental() %}
touched as (

    select punch_id from punches where {{ is_new('loaded_xid') }}
    union
    select punch_id from adjustments where {{ is_new('loaded_xid') }}
    union
    -- PIS and CPF apart: each branch reads raw's (identifier, punched_at) index, an `or` of the two would not
    select punches.punch_id
    from employees
    inner join punches
        on punches.identifier_kind = 'pis'
        and punches.identifier = employees.pis
    where {{ is_new('employees.loaded_xid') }}
    union
    select punches.punch_id
    from employees
    inner join punches
        on punches.identifier_kind = 'cpf'
        and punches.identifier = employees.cpf
    where {{ is_new('employees.loaded_xid') }}
    union
    select existing.punch_id
    from {{ this }} as existing
    where existing.employee_id in (
        select employee_id from employees where {{ is_new('loaded_xid') }}
    )
    union
    select existing.punch_id
    from {{ this }} as existing
    where existing.employee_id in (
        select attributed.employee_id
        from (select distinct employee_id from {{ this }}) as attributed
        where not exists (
            select from employees where employees.employee_id = attributed.employee_id
        )
    )

),
{% endif %}

disregards as (

    select distinct on (punch_id)
        punch_id,
        reason,
        created_at,
        loaded_xid

    from adjustments
    where action = 'disregard'
    {% if is_incremental() %}
        and punch_id in (select touched.punch_id from touched)
    {% endif %}
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
    {% if is_incremental() %}
    where punches.punch_id in (select touched.punch_id from touched)
    {% endif %}

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
    {% if is_incremental() %}
        and punch_id in (select touched.punch_id from touched)
    {% endif %}

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
        greatest(unioned.loaded_xid, disregards.loaded_xid) as changed_xid,
        {{ run_started_at_literal() }} as attributed_at

    from unioned
    left join disregards
        on unioned.punch_id = disregards.punch_id

)

select * from final
