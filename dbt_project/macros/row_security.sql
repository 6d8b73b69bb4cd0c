{#- Who may read which rows of a marts table (api views are security_invoker, so these policies apply
    to every API request). Each profile maps request roles to a USING predicate; roles not listed see
    nothing. Applied as a post-hook on every build (tables are rebuilt; policies are recreated). -#}
{% macro access_profiles() -%}
    {%- set own = "employee_id = auth.employee_id()" -%}
    {#- the dim_employees built beside this table (a policy binds the table it names when created) -#}
    {%- set team = "employee_id in (select team.employee_id from " ~ this.schema ~ ".dim_employees as team)" -%}
    {{ return({
        'customer': {'analyst': 'true'},
        'aggregate': {'anon': 'true', 'analyst': 'true'},
        'employee_registry': {
            'hr': 'true', 'analyst': 'true',
            'manager': own ~ ' or manager_id = auth.employee_id()',
            'employee': own,
        },
        'timesheet': {'hr': 'true', 'manager': team, 'employee': own},
        'timesheet_aggregate': {'hr': 'true', 'analyst': 'true', 'manager': team, 'employee': own},
        'hr_only': {'hr': 'true'},
        'reference': {'hr': 'true', 'analyst': 'true', 'manager': 'true', 'employee': 'true'},
    }) }}
{%- endmacro %}

{% macro row_security(profile) -%}
    {%- set readers = access_profiles()[profile] -%}
    alter table {{ this }} enable row level security;
    {%- for role in var('request_roles') %}
    drop policy if exists {{ role }}_read on {{ this }};
    {%- if role in readers %}
    create policy {{ role }}_read on {{ this }} for select to {{ role }} using ({{ readers[role] }});
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Column-level read grants (identifiers such as CPF and PIS stay with the roles granted the whole view). -#}
{% macro grant_columns(roles, columns) -%}
    grant select ({{ columns | join(', ') }}) on {{ this }} to {{ roles | join(', ') }}
{%- endmacro %}
