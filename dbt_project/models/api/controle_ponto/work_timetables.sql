-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    schedule_code,
    weekday,
    timetable_code,
    weekday_names,
    weekdays,
    duration_minutes,
    boundaries
from {{ ref('dim_work_timetables') }}
