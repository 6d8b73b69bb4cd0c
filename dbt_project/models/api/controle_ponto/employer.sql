-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
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
    program_name,
    program_version,
    aej_employer_name,
    aej_developer_name,
    aej_developer_email
from {{ ref('dim_employer') }}
