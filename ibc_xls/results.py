"""What checking returned workbooks found: per file, its identity, typed rows and problems;
for the run, every file and the problems across files. The terminal summary, ``--json`` and
the report workbook are renderings of these objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ibc_xls.problems import Problem, Severity


@dataclass(slots=True)
class Record:
    """One row staff filled: typed values (None where empty or not understood) and, for a
    row with errors, the values as read, so that it can still be shown as it was."""

    row: int  # 1-based, as the spreadsheet shows it
    values: dict[str, object]
    raw: dict[str, object]  # empty when the row is ok: its values say it all
    ok: bool = True


@dataclass
class FormResult:
    form_id: str
    sheet: str
    columns: dict[str, int]  # key → zero-based column where it was found
    records: list[Record] = field(default_factory=list)
    # (fields of a ``unique`` rule, the row's key under it, row): for checks across files
    keys: list[tuple[tuple, tuple, int]] = field(default_factory=list)


@dataclass
class FileResult:
    """Everything learned from one returned file."""

    file: str
    format: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    forms: dict[str, FormResult] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""
    size: int = 0
    modified: float = 0.0  # the file's mtime: when it was last saved, i.e. handed in

    @property
    def errors(self) -> int:
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity is Severity.WARNING for p in self.problems)

    @property
    def refused(self) -> bool:
        """Nothing could be taken from the file: unreadable, not ours, or of another version."""
        return not self.forms

    @property
    def status(self) -> str:
        if self.refused:
            return "refused"
        return "errors" if self.errors else ("warnings" if self.warnings else "ok")

    def rows(self) -> dict[str, int]:
        return {form_id: len(f.records) for form_id, f in self.forms.items()}


STATUS_TEXT = {"ok": "принят", "warnings": "принят, есть замечания",
               "errors": "есть ошибки", "refused": "не принят"}


def problem_json(p: Problem) -> dict:
    value = p.value
    if isinstance(value, dt.date | dt.time):
        value = value.isoformat()
    elif value is not None and not isinstance(value, int | float | str | bool):
        value = str(value)
    return {"code": p.code, "severity": p.severity.value, "file": p.file, "sheet": p.sheet,
            "cell": p.cell, "field": p.field, "value": value, "message": p.message}


@dataclass
class Report:
    """The result of checking a set of files."""

    files: list[FileResult]

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    @property
    def valid(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    def to_json(self) -> dict:
        return {
            "valid": self.valid,
            "files": [{
                "file": f.file, "format": f.format, "status": f.status,
                "template": f.identity.get("template", ""),
                "respondent": f.identity.get("respondent", ""),
                "class": f.identity.get("class_name", ""),
                "sha256": f.sha256, "size": f.size, "rows": f.rows(),
                "modified": dt.datetime.fromtimestamp(f.modified).isoformat(timespec="seconds")
                if f.modified else "",
                "errors": f.errors, "warnings": f.warnings,
                "problems": [problem_json(p) for p in f.problems],
            } for f in self.files],
            "summary": {
                "files": len(self.files),
                "accepted": sum(f.status in ("ok", "warnings") for f in self.files),
                "with_errors": sum(f.status == "errors" for f in self.files),
                "refused": sum(f.status == "refused" for f in self.files),
                "errors": sum(f.errors for f in self.files),
                "warnings": sum(f.warnings for f in self.files),
            },
        }
