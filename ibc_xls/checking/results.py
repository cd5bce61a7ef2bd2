"""What checking returned workbooks found: per file, its identity, typed rows and problems;
for the run, every file and the problems across files. The terminal summary, ``--json`` and
the report workbook are renderings of these objects."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from ibc_xls.problems import Problem, Severity


class Record:
    """One row staff filled: typed values (None where empty or not understood) and, for a
    row with errors, the values as read, so that it can still be shown as it was.

    A collect holds every row of every workbook, hundreds of thousands of them: the values
    are kept as a tuple under a tuple of keys shared by the rows of a form, and ``values``
    builds the dict on demand.
    """

    __slots__ = ("_data", "_keys", "_raw", "ok", "row")

    def __init__(self, row: int, values: dict[str, object],
                 raw: dict[str, object] | None = None, ok: bool = True):
        self.row = row  # 1-based, as the spreadsheet shows it
        self._keys = _shared_keys(tuple(values))
        self._data = tuple(values.values())
        self._raw = raw or None  # None when the row is ok: its values say it all
        self.ok = ok

    @property
    def values(self) -> dict[str, object]:
        return dict(zip(self._keys, self._data, strict=True))

    @property
    def raw(self) -> dict[str, object]:
        return self._raw or {}

    def get(self, key: str, default: object = None) -> object:
        try:
            return self._data[self._keys.index(key)]
        except ValueError:
            return default

    def __reduce__(self):
        return _record, (self.row, self._keys, self._data, self._raw, self.ok)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return (self.row, self.values, self.raw, self.ok) == \
            (other.row, other.values, other.raw, other.ok)

    __hash__ = None  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"Record(row={self.row}, values={self.values!r}, raw={self.raw!r}, ok={self.ok})"


def value_columns(records: list[Record], keys: list[str],
                  as_read: bool = False) -> Iterator[list]:
    """The values of ``records`` column by column, one list per key in turn (None where a
    record has no such key); with ``as_read``, a row with errors gives its values as read.
    Built from the stored tuples, without a dict per row, and one column at a time so that
    a caller filling a table never holds all of them."""
    groups: dict[tuple[str, ...], list[int]] = {}
    wrong: list[int] = []
    for i, record in enumerate(records):
        if as_read and not record.ok:
            wrong.append(i)
        else:
            groups.setdefault(record._keys, []).append(i)
    for key in keys:
        column: list = [None] * len(records)
        for stored, rows in groups.items():
            if key in stored:
                at = stored.index(key)
                for i in rows:
                    column[i] = records[i]._data[at]
        for i in wrong:
            column[i] = records[i].raw.get(key)
        yield column


_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    return _KEYS.setdefault(keys, keys)


def _record(row: int, keys: tuple[str, ...], data: tuple, raw: dict | None, ok: bool) -> Record:
    """A record as unpickled: its keys shared with the other records of its form."""
    record = Record.__new__(Record)
    record.row, record._keys, record._data, record._raw, record.ok = \
        row, _shared_keys(keys), data, raw, ok
    return record


@dataclass
class FormResult:
    form_id: str
    sheet: str
    columns: dict[str, int]  # key → zero-based column where it was found
    records: list[Record] = field(default_factory=list)
    # For the checks across files: the fields of each ``unique`` rule → the digests of the
    # rows' keys under it and the rows, as machine arrays (a few bytes a row, not a tuple).
    keys: dict[tuple[str, ...], tuple[array, array]] = field(default_factory=dict)
    released: int | None = None  # how many records there were, once they were let go

    def add_key(self, fields: tuple[str, ...], digest: int, row: int) -> None:
        digests, rows = self.keys.setdefault(fields, (array("q"), array("l")))
        digests.append(digest)
        rows.append(row)


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
    saved: float = 0.0  # when the workbook says it was saved (its properties), 0 if unknown

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
    def replaced(self) -> bool:
        """A later workbook of the same respondent is used instead of this one."""
        return any(p.code == "workbook-replaced" for p in self.problems)

    @property
    def status(self) -> str:
        if self.refused:
            return "refused"
        if self.replaced:
            return "replaced"
        return "errors" if self.errors else ("warnings" if self.warnings else "ok")

    def rows(self) -> dict[str, int]:
        return {form_id: len(f.records) if f.released is None else f.released
                for form_id, f in self.forms.items()}


# What became of a workbook (the word agrees with «книга»).
def saved_order(f: FileResult) -> tuple[float, float, str]:
    """How copies of one respondent's workbook are ordered, oldest first: by when the book
    says it was saved, then by the file's time, then by name."""
    return (f.saved or f.modified, f.modified, f.file)


STATUS_TEXT = {"ok": "принята", "warnings": "принята, есть замечания",
               "errors": "есть ошибки", "refused": "не принята", "replaced": "заменена"}


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
    as_of: dt.date | None = None  # the reporting date the files were judged on

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    def release_rows(self) -> None:
        """Let every file's records go once the report's tables hold their values: a big
        collect needs the memory to write the report. How many there were is kept."""
        for f in self.files:
            for form in f.forms.values():
                if form.released is None:
                    form.released = len(form.records)
                form.records = []

    @property
    def valid(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    def to_json(self) -> dict:
        return {
            "valid": self.valid,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "files": [{
                "file": f.file, "format": f.format, "status": f.status,
                "template": f.identity.get("template", ""),
                "respondent": f.identity.get("respondent", ""),
                "class": f.identity.get("class_name", ""),
                "sha256": f.sha256, "size": f.size, "rows": f.rows(),
                "modified": dt.datetime.fromtimestamp(f.modified).isoformat(timespec="seconds")
                if f.modified else "",
                "saved": dt.datetime.fromtimestamp(f.saved).isoformat(timespec="seconds")
                if f.saved else "",
                "errors": f.errors, "warnings": f.warnings,
                "problems": [problem_json(p) for p in f.problems],
            } for f in self.files],
            "summary": {
                "files": len(self.files),
                "accepted": sum(f.status in ("ok", "warnings") for f in self.files),
                "with_errors": sum(f.status == "errors" for f in self.files),
                "refused": sum(f.status == "refused" for f in self.files),
                "replaced": sum(f.status == "replaced" for f in self.files),
                "errors": sum(f.errors for f in self.files),
                "warnings": sum(f.warnings for f in self.files),
            },
        }
