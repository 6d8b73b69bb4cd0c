"""The schedule-interval grammar, written once: the loader parses with it, the raw quality suite
checks what was stored with the patterns derived from it, and ``int_schedule_intervals`` reads the
stored form.

Input (a cell of the schedules CSV): ``08:00-12:00,13:00-17:00``; spaces are ignored; an interval may
cross midnight (``22:00-02:00``); empty means a day off; an interval that starts where it ends is
empty and rejected. Stored: the same intervals, in file order, without spaces.
"""

from __future__ import annotations

import re

TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]"
INTERVAL = rf"{TIME}-{TIME}"
# every stored value matches this (the loader writes nothing else) ...
STORED = rf"^$|^{INTERVAL}(,{INTERVAL})*$"
# ... and none matches this: an interval from a time to the same time
EMPTY_INTERVAL = r"(^|,)([0-9][0-9]:[0-9][0-9])-\2(,|$)"

_INTERVAL = re.compile(rf"^{INTERVAL}$")


class BadIntervals(ValueError):
    """A schedule cell that does not follow the grammar; the message says which part and why."""


def parse_intervals(value: str) -> str:
    """The stored form of a schedule cell, or :class:`BadIntervals`."""
    cleaned = value.replace(" ", "")
    if not cleaned:
        return ""
    parts = cleaned.split(",")
    for part in parts:
        if not _INTERVAL.match(part):
            raise BadIntervals(f"bad interval {part!r} (expected hh:mm-hh:mm)")
        start, end = part.split("-")
        if start == end:
            raise BadIntervals(f"empty interval {part!r}")
    return ",".join(parts)
