{#- Who reads what: declared once in api_contracts/access.py, whose values are the vars
    `api_access` (each api resource: its row profile and the marts table it reads), `access_profiles`
    (each profile: the roles that read it and the rows each sees), `identifiers` and
    `identifier_readers`. A role a profile does not name gets no grant. Applied as post-hooks of every
    api model (api_access) and marts model (mart_access) on every build: tables are rebuilt, and an
    incremental table loses what it was granted before, so a role removed from a profile loses it. -#}

{#- The rows a role sees, as a policy's USING predicate. `team` reads the dim_employees built beside
    the table (a policy binds the table it names when created), where a manager sees their own row
    and their reports'. Its ref() is a real dependency: dbt reads refs in hooks, so every table with
    a team policy is built after dim_employees. The caller's employee_id is a sub-select: PostgreSQL
    evaluates it once per statement (an InitPlan) and an index condition can still use it, where a
    bare `auth.employee_id()` call would run again for every row a filter looks at. The team is an
    array read once per statement too (`= any (array(...))`): an index whose first column is
    employee_id takes it as its condition, one probe per member. As `in (select ...)` it was a hashed
    sub-plan, a filter only: a manager's "everyone's month" read every row of fct_timesheet_monthly
    (bench/results/api-L.md). -#}
{% macro row_predicate(rule) -%}
    {%- if rule == 'all' -%}
        true
    {%- elif rule == 'own' -%}
        employee_id = (select auth.employee_id())
    {%- elif rule == 'own_or_reports' -%}
        employee_id = (select auth.employee_id()) or manager_id = (select auth.employee_id())
    {%- elif rule == 'team' -%}
        employee_id = any (array(select team.employee_id from {{ ref('dim_employees') }} as team))
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown row rule " ~ rule ~ " (api_contracts/access.py)") }}
    {%- endif -%}
{%- endmacro %}

{#- The grants of an api view: identifier columns only to the identifier readers, every other
    column to every reader of the resource's profile. -#}
{% macro api_access() -%}
    {%- set resource = var('api_access').get(model.name) -%}
    {%- if resource is none -%}
        {{ exceptions.raise_compiler_error("api model " ~ model.name ~ " declares no access (api_contracts/access.py)") }}
    {%- endif -%}
    {%- set roles = var('access_profiles')[resource['profile']].keys() | list -%}
    {%- set columns = model.columns.keys() | list -%}
    {%- set identifiers = columns | select('in', var('identifiers')) | list -%}
    revoke all on {{ this }} from {{ var('request_roles') | join(', ') }};
    {%- for role in roles %}
    {%- if identifiers and role not in var('identifier_readers') %}
    grant select ({{ columns | reject('in', identifiers) | join(', ') }}) on {{ this }} to {{ role }};
    {%- else %}
    grant select on {{ this }} to {{ role }};
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The grants and row-level security of a marts table an api view reads (api views are
    security_invoker: their readers need both here). A marts table no api view reads stays private. -#}
{% macro mart_access() -%}
    {%- set profiles = [] -%}
    {%- for resource in var('api_access').values() -%}
        {%- if resource['mart'] == model.name and resource['profile'] not in profiles -%}
            {%- do profiles.append(resource['profile']) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if profiles | length > 1 -%}
        {{ exceptions.raise_compiler_error(model.name ~ " is read under several profiles: " ~ profiles | join(', ')) }}
    {%- endif -%}
    revoke all on {{ this }} from {{ var('request_roles') | join(', ') }};
    {%- if profiles %}
    {%- set rules = var('access_profiles')[profiles[0]] %}
    grant select on {{ this }} to {{ rules.keys() | join(', ') }};
    alter table {{ this }} enable row level security;
    {%- for role in var('request_roles') %}
    drop policy if exists {{ role }}_read on {{ this }};
    {%- if role in rules %}
    create policy {{ role }}_read on {{ this }} for select to {{ role }} using ({{ row_predicate(rules[role]) }});
    {%- endif %}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}
