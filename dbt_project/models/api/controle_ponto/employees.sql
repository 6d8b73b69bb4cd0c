-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    employee_id,
    name,
    department,
    manager_id,
    schedule_code,
    timezone,
    hired_at,
    job_title,
    cpf,
    pis
from {{ ref('dim_employees') }}
