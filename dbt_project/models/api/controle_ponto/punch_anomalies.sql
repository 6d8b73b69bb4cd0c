with

anomalies as (

    select * from {{ ref('fct_punch_anomalies') }}

),

final as (

    select
        anomaly_id,
        kind,
        employee_id,
        work_date,
        occurred_at,
        detail

    from anomalies

)

select * from final
