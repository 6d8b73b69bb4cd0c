"""Write-audit-publish: build beside the served data, check it there, publish it in one transaction.

- :mod:`.layers`: the layer schemas (published ``marts``, shadow ``marts__next``, retired
  ``marts__old``) and the catalog questions the others ask.
- :mod:`.prepare` (write): a refresh builds every dbt layer into shadow schemas while the API keeps
  reading ``api`` → ``marts``. The shadow starts from the incremental tables of the build before the
  published one, kept aside in ``<layer>__old`` at each publish (the incremental models catch up from
  their watermarks); only the first refresh and the one after a failed refresh copy the published
  incremental tables instead. One refresh at a time (an advisory lock).
- :mod:`.audit`: every attempt, check result, publication and published model definition is recorded
  in the ``audit`` schema, which ``api.data_status`` shows to dashboards.
- :mod:`.swap` (publish): when no blocking check of a domain failed, one transaction renames the layer
  schemas (``marts`` → ``marts__old``, ``marts__next`` → ``marts``), or moves the relations of the
  domains that were built and passed one by one (a refresh builds only the domains with new loads:
  ``orchestration/change_detection.py``), and moves the api views into ``api`` (which also holds the
  Alembic-owned RPC functions, so it is never renamed). Views and policies are bound to tables by OID,
  so a reader sees the old build or the new one, never a mix. ``NOTIFY pgrst`` is sent by the same
  transaction.

Everything here runs as ``transformer`` (never a superuser). The names below are the package's
interface; the steps import them from here.
"""

from orchestration.publish.audit import (
    CheckOutcome,
    attempt_outcome,
    begin_attempt,
    built_domains,
    changed_models,
    failed_checks,
    failed_checks_by_domain,
    failing_marks_attempt,
    finish_attempt,
    last_published_at,
    latest_attempt,
    published_row_counts,
    record_checks,
    record_domains,
    record_models,
)
from orchestration.publish.layers import BUILD_STATE, LAYERS, RETIRED, SHADOW, Relation, shadow
from orchestration.publish.prepare import (
    REFRESH_LOCK_KEY,
    RUNNER_LOCK_KEY,
    ShadowState,
    acquire_refresh_lock,
    drop_shadow,
    prepare_shadow,
    release_refresh_lock,
)
from orchestration.publish.swap import PUBLISH_LOCK_TIMEOUT, PartialPublish, PublishSummary, publish

__all__ = [
    "BUILD_STATE",
    "LAYERS",
    "PUBLISH_LOCK_TIMEOUT",
    "REFRESH_LOCK_KEY",
    "RETIRED",
    "RUNNER_LOCK_KEY",
    "SHADOW",
    "CheckOutcome",
    "PartialPublish",
    "PublishSummary",
    "Relation",
    "ShadowState",
    "acquire_refresh_lock",
    "attempt_outcome",
    "begin_attempt",
    "built_domains",
    "changed_models",
    "drop_shadow",
    "failed_checks",
    "failed_checks_by_domain",
    "failing_marks_attempt",
    "finish_attempt",
    "last_published_at",
    "latest_attempt",
    "prepare_shadow",
    "publish",
    "published_row_counts",
    "record_checks",
    "record_domains",
    "record_models",
    "release_refresh_lock",
    "shadow",
]
