with

published as (

    select
        resource,
        domain,
        published_at,
        run_id,
        row_count

    from {{ source('audit', 'published_resources') }}
    -- this resource describes the others
    where resource <> 'data_status'

),

latest_attempt as (

    -- only the columns request roles are granted (not the message, which can quote data)
    select
        run_id,
        started_at,
        outcome

    from {{ source('audit', 'refresh_attempts') }}
    order by started_at desc
    limit 1

),

failed_checks as (

    -- not the GX summary: it can hold sample values of the data
    select
        asset,
        check_name,
        domain,
        severity

    from {{ source('audit', 'check_results') }}
    where not passed
        and run_id = (select latest_attempt.run_id from latest_attempt)

),

final as (

    select
        published.domain,
        published.resource,
        published.published_at as last_published_at,
        latest_attempt.started_at as last_attempt_at,
        -- a partial refresh published some domains and held back the others (their own checks failed)
        case
            when latest_attempt.outcome <> 'partial' then latest_attempt.outcome
            when published.run_id = latest_attempt.run_id then 'published'
            else 'blocked'
        end as last_attempt_outcome,
        coalesce(domain_checks.failing_checks, '{}') as failing_checks,
        coalesce(domain_checks.warning_checks, '{}') as warning_checks,
        published.row_count

    from published
    cross join latest_attempt
    left join lateral (
        select
            array_agg(
                failed_checks.asset || ':' || failed_checks.check_name
                order by failed_checks.asset, failed_checks.check_name
            ) filter (where failed_checks.severity = 'error') as failing_checks,
            array_agg(
                failed_checks.asset || ':' || failed_checks.check_name
                order by failed_checks.asset, failed_checks.check_name
            ) filter (where failed_checks.severity = 'warn') as warning_checks
        from failed_checks
        -- a platform check (e.g. a dbt model that failed to build) concerns every resource
        where failed_checks.domain in (published.domain, 'platform')
    ) as domain_checks on true

)

select * from final
