"""A refresh's own output (Dagster's console logger, dbt, warnings of libraries) goes to a log file, the
terminal keeps only the steps; the log is rotated so it does not grow without bound."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from orchestration.logs import rotate, rotate_all

SCRIPT = """
import os, subprocess, sys
from pathlib import Path
from orchestration.pipeline import output_to_log
with output_to_log(Path(sys.argv[1])) as terminal:
    print("dagster says a lot")
    print("a warning", file=sys.stderr)
    os.write(2, b"raw fd 2\\n")
    subprocess.run([sys.executable, "-c", "print('dbt runs')"], check=True)
    terminal.write("step done\\n")
print("back to the terminal")
"""


def test_output_of_the_process_and_its_children_goes_to_the_log(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "refresh.log"
    root = Path(__file__).parents[2]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(log)], capture_output=True, text=True, check=True, cwd=root
    )
    written = log.read_text()
    for line in ("dagster says a lot", "a warning", "raw fd 2", "dbt runs"):
        assert line in written and line not in result.stdout + result.stderr
    assert result.stderr == "step done\n" and "step done" not in written
    assert result.stdout == "back to the terminal\n"
    assert log.stat().st_mode & 0o777 == 0o600


def test_rotate_keeps_a_bounded_number_of_old_logs(tmp_path: Path) -> None:
    log = tmp_path / "refresh.log"
    for generation in range(5):
        log.write_text(f"{generation}" * 20)
        rotate(log, keep=2, max_bytes=10)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["refresh.log.1", "refresh.log.2"]
    assert log.with_name("refresh.log.1").read_text().startswith("4")
    assert log.with_name("refresh.log.2").read_text().startswith("3")
    small = tmp_path / "small.log"
    small.write_text("x")
    rotate(small, keep=2, max_bytes=10)
    assert small.exists()


def test_a_log_a_process_keeps_open_is_copied_aside_and_emptied_in_place(tmp_path: Path) -> None:
    log = tmp_path / "postgrest.log"
    writer = log.open("ab")  # as a running service holds it
    writer.write(b"x" * 30)
    writer.flush()
    assert rotate_all(tmp_path, (tmp_path / "missing.log",)) == []  # under the limit: untouched
    assert rotate(log, keep=2, max_bytes=10, copytruncate=True)
    writer.write(b"after")
    writer.flush()
    writer.close()
    assert log.read_bytes() == b"after"  # the writer goes on in the same, emptied file
    assert log.with_name("postgrest.log.1").read_bytes() == b"x" * 30
