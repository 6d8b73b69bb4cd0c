-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    punch_id,
    employee_id,
    jornada_number,
    work_date,
    punched_at,
    local_date_time,
    marker,
    pair_number,
    marker_order,
    source_code,
    rep_number,
    rep_type,
    nsr,
    reason,
    aej_reason,
    timetable_code
from {{ ref('fct_treated_punches') }}
