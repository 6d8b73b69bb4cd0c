-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    punch_id,
    employee_id,
    punched_at,
    source,
    rep_number,
    nsr,
    status,
    reason,
    jornada_number,
    crc_status
from {{ ref('fct_punches') }}
