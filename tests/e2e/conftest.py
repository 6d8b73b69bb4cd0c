"""One `bi-dash up` with the demo data for the modules that look at it (the CLI's and the dashboards'):
starting it costs minutes, so the session shares it; a module that stops it (test_cli_platform ends with
`down`) runs after the ones that only look (modules run in file-name order), and a module that needs it
running asks `up` again, which returns at once when it is."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.cli import Cli


@pytest.fixture(scope="session")
def demo_cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    cli = Cli(home=tmp_path_factory.mktemp("cli-home"))
    yield cli
    cli.run("down")


@pytest.fixture(scope="session")
def demo_up(demo_cli: Cli) -> Any:
    result = demo_cli.run("up", "--detach")
    assert result.returncode == 0, result.stdout + result.stderr
    return result
