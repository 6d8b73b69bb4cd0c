"""What a load did, in numbers a user can check (and print)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class FileSummary:
    file_name: str
    source: str
    already_loaded: bool = False
    lines: int = 0
    loaded: int = 0  # rows inserted
    updated: int = 0  # rows whose values changed
    unchanged: int = 0  # rows already present with the same values
    duplicates: int = 0  # repeated records (same key, same values)
    other_records: int = 0  # AFD records that are not punches (header, type 2/4/5/6, trailer, signature)
    linked: int = 0  # people registered from AFD files, now linked to the registry's employee
    quarantined: int = 0
    encoding: str = ""  # how the file's text was read (utf-8, cp1252, latin-1)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def readable(self) -> bool:
        """False when not a single record of the file could be used."""
        used = self.loaded + self.updated + self.unchanged + self.duplicates + self.other_records
        return self.already_loaded or used > 0

    def first_reasons(self, limit: int = 3) -> str:
        return "; ".join(f"{reason} ({count})" for reason, count in self.reasons.most_common(limit))

    def metadata(self) -> dict[str, int | bool | str]:
        """What the raw asset's materialization records of this file, however it was loaded."""
        return {
            "file": self.file_name,
            "loaded": self.loaded,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "already_loaded": self.already_loaded,
            "quarantine_reasons": self.first_reasons(),
        }


@dataclass
class LoadSummary:
    files: list[FileSummary] = field(default_factory=list)

    def add(self, summary: FileSummary) -> FileSummary:
        self.files.append(summary)
        return summary

    @property
    def readable(self) -> bool:
        return any(item.readable for item in self.files)

    def total(self, attribute: str) -> int:
        return sum(getattr(item, attribute) for item in self.files)
