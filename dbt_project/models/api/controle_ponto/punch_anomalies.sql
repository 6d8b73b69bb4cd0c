-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    anomaly_id,
    kind,
    employee_id,
    work_date,
    occurred_at,
    punch_id,
    detail
from {{ ref('fct_punch_anomalies') }}
