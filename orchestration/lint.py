"""`bi-dash lint`: the exposed schema checked the way Supabase's database linter does it."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from api_contracts.access import IDENTIFIER_READERS
from api_contracts.vocabulary import REQUEST_ROLES

EXPOSED = ("api",)
SENSITIVE = ("cpf", "pis", "email", "phone", "telefone", "rg", "password", "senha")


@dataclass(frozen=True)
class Finding:
    level: str  # error | warning
    rule: str
    target: str
    detail: str


CHECKS: dict[str, tuple[str, str, str]] = {
    # rule: (level, SQL returning (target, detail), description)
    "view_without_security_invoker": (
        "error",
        """
        select c.oid::regclass::text, 'runs with its owner''s privileges, bypassing row-level security'
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(exposed)s) and c.relkind = 'v'
          and not coalesce(c.reloptions @> array['security_invoker=true'], false)
    """,
        "views in the exposed schema must use security_invoker",
    ),
    "exposed_table_without_rls": (
        "error",
        """
        with recursive deps(view_oid, rel_oid) as (
            select v.oid, d.refobjid
            from pg_class v
            join pg_namespace n on n.oid = v.relnamespace
            join pg_rewrite r on r.ev_class = v.oid
            join pg_depend d on d.objid = r.oid and d.classid = 'pg_rewrite'::regclass
            where n.nspname = any(%(exposed)s) and v.relkind = 'v' and d.refobjid <> v.oid
            union
            select deps.view_oid, d.refobjid
            from deps
            join pg_class mid on mid.oid = deps.rel_oid and mid.relkind = 'v'
            join pg_rewrite r on r.ev_class = mid.oid
            join pg_depend d on d.objid = r.oid and d.classid = 'pg_rewrite'::regclass
            where d.refobjid <> mid.oid
        )
        select distinct t.oid::regclass::text, 'read by ' || deps.view_oid::regclass::text
            || ' but row-level security is disabled'
        from deps join pg_class t on t.oid = deps.rel_oid
        where t.relkind in ('r', 'p') and not t.relrowsecurity
    """,
        "tables read by exposed views must have row-level security",
    ),
    "policy_on_table_without_rls": (
        "error",
        """
        select distinct c.oid::regclass::text, 'has policies but row-level security is disabled'
        from pg_policy p join pg_class c on c.oid = p.polrelid
        where not c.relrowsecurity
    """,
        "policies only act when row-level security is enabled",
    ),
    "function_executable_by_public_or_anon": (
        "error",
        """
        select p.oid::regprocedure::text,
               case when has_function_privilege('public', p.oid, 'execute') then 'executable by PUBLIC'
                    else 'executable by anon' end
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any(%(exposed)s)
          and (exists (select from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                       where a.grantee = 0 and a.privilege_type = 'EXECUTE')
               or (has_function_privilege('anon', p.oid, 'execute')
                   and p.oid::regprocedure::text <> all(%(anon_functions)s)))
    """,
        "exposed functions must be granted to named roles only (anon: only the sign-in)",
    ),
    "function_without_fixed_search_path": (
        "error",
        """
        select p.oid::regprocedure::text, 'search_path is not fixed (SET search_path)'
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any(%(exposed)s || array['auth'])
          and not exists (select from unnest(coalesce(p.proconfig, '{}')) s where s like 'search_path=%%')
    """,
        "functions must not depend on the caller's search_path",
    ),
    "security_definer_owned_by_superuser": (
        "error",
        """
        select p.oid::regprocedure::text, 'SECURITY DEFINER owned by superuser ' || r.rolname
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_roles r on r.oid = p.proowner
        where p.prosecdef and r.rolsuper and n.nspname = any(%(exposed)s || array['auth'])
    """,
        "definer functions must run as a least-privilege owner",
    ),
    "materialized_view_or_foreign_table_in_api": (
        "error",
        """
        select c.oid::regclass::text,
            case c.relkind when 'm' then 'materialized view' else 'foreign table' end
            || ' in the exposed schema (no row-level security)'
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any(%(exposed)s) and c.relkind in ('m', 'f')
    """,
        "materialized views and foreign tables cannot enforce row-level security",
    ),
    "sensitive_column_exposed": (
        "error",
        """
        select c.oid::regclass::text || '.' || a.attname, 'readable by ' || r.rolname
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        cross join pg_roles r
        where n.nspname = any(%(exposed)s)
          and a.attname = any(%(sensitive)s)
          and r.rolname = any(%(request_roles)s) and not (r.rolname = any(%(identifier_readers)s))
          and has_column_privilege(r.oid, c.oid, a.attnum, 'select')
    """,
        "personal identifiers are for the roles that must see them",
    ),
    "unindexed_foreign_key": (
        "warning",
        """
        select c.conrelid::regclass::text, 'foreign key ' || c.conname || ' has no index on its columns'
        from pg_constraint c
        where c.contype = 'f'
          and not exists (
            select from pg_index i
            where i.indrelid = c.conrelid and (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey
          )
    """,
        "joins and cascading deletes on a foreign key need an index",
    ),
}


# what someone without a token may call: signing in (migration 0013)
ANON_FUNCTIONS = ("api.login(text,text)",)


def lint(conn: psycopg.Connection) -> list[Finding]:
    params = {
        "exposed": list(EXPOSED),
        "sensitive": list(SENSITIVE),
        "request_roles": list(REQUEST_ROLES),
        "identifier_readers": list(IDENTIFIER_READERS),
        "anon_functions": list(ANON_FUNCTIONS),
    }
    findings: list[Finding] = []
    for rule, (level, query, _description) in CHECKS.items():
        for target, detail in conn.execute(query, params).fetchall():
            findings.append(Finding(level, rule, str(target), str(detail)))
    return findings
