"""How a long operation tells what it is doing: steps that end with their duration, notes, warnings.

The service layer reports through :data:`reporter`; by default that is the log only (tests, the Dagster
code location). The CLI installs a reporter that draws on the terminal (:func:`use`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, TextIO

from orchestration import logs

log = logs.get_logger("service")


class Reporter(Protocol):
    def step(self, title: str) -> AbstractContextManager[None]:
        """The step is shown while it runs and marked done with its seconds."""
        ...

    def done(self, text: str, seconds: float | None = None) -> None: ...

    def substep(self, name: str, succeeded: bool, seconds: float) -> None: ...

    def note(self, text: str) -> None: ...

    def warn(self, text: str) -> None: ...

    def redirected(self, terminal: TextIO) -> AbstractContextManager[None]:
        """Meanwhile the process's own output goes to a log: the reporter writes to ``terminal``."""
        ...

    def counted(self, title: str, total: int) -> AbstractContextManager[Callable[[str], None]]:
        """A bar of ``total`` items: the callable it gives starts the next one (naming it)."""
        ...


class LogReporter:
    """Everything to the log (the default: no terminal is assumed)."""

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        log.info(title, extra={"step": title, "seconds": round(time.monotonic() - started, 2)})

    def done(self, text: str, seconds: float | None = None) -> None:
        log.info(text, extra={"seconds": seconds} if seconds is not None else None)

    def substep(self, name: str, succeeded: bool, seconds: float) -> None:
        log.info(f"{name} {'succeeded' if succeeded else 'failed'}", extra={"step": name, "seconds": seconds})

    def note(self, text: str) -> None:
        log.info(text)

    def warn(self, text: str) -> None:
        log.warning(text)

    @contextmanager
    def redirected(self, terminal: TextIO) -> Iterator[None]:
        yield

    @contextmanager
    def counted(self, title: str, total: int) -> Iterator[Callable[[str], None]]:
        seen = iter(range(1, total + 1))
        yield lambda item: log.info(f"{title}: {item} ({next(seen, total)}/{total})")


reporter: Reporter = LogReporter()


def use(new: Reporter) -> None:
    global reporter  # one reporter per process, chosen by its entry point
    reporter = new


@contextmanager
def step(title: str) -> Iterator[None]:
    with reporter.step(title):
        yield


def done(text: str, seconds: float | None = None) -> None:
    reporter.done(text, seconds)


def substep(name: str, succeeded: bool, seconds: float) -> None:
    reporter.substep(name, succeeded, seconds)


def counted(title: str, total: int) -> AbstractContextManager[Callable[[str], None]]:
    return reporter.counted(title, total)


def note(text: str) -> None:
    reporter.note(text)


def warn(text: str) -> None:
    reporter.warn(text)
