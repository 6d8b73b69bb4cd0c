"""Runs whose process died are marked failed and free the queue (orchestration/runtime/runs.py)."""

import subprocess
import sys

import dagster as dg
import pytest

from orchestration.runtime.runs import HOST_TAG, PID_TAG, heal, run_tags

pytestmark = pytest.mark.db


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@dg.job
def _some_job() -> None:
    pass


def _started_run(instance: dg.DagsterInstance, tags: dict[str, str]) -> str:
    run = instance.create_run_for_job(_some_job, tags=tags)
    instance.run_storage.handle_run_event(
        run.run_id, dg.DagsterEvent(event_type_value="PIPELINE_START", job_name=run.job_name)
    )
    return run.run_id


def test_a_run_whose_process_died_is_marked_failed_and_a_live_one_is_left_alone() -> None:
    with dg.instance_for_test() as instance:
        dead = _started_run(instance, {PID_TAG: str(_dead_pid()), HOST_TAG: run_tags()[HOST_TAG]})
        alive = _started_run(instance, run_tags())
        assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.STARTED
        healed = heal(instance)
        assert [item.run_id for item in healed] == [dead]
        assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive).status == dg.DagsterRunStatus.STARTED
        assert heal(instance) == []  # idempotent
