"""What checking returned workbooks found: per file, its identity, typed rows and problems;
for the run, every file and the problems across files. The terminal summary, ``--json`` and
the report workbook are renderings of these objects."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

from ibc_xls.problems import Problem, Severity
from ibc_xls.text import Checked


class Record(tuple):
    """One row staff filled: typed values (None where empty or not understood) and, for a
    row with errors, the values as read, so that it can still be shown as it was.

    A collect holds every row of every workbook, hundreds of thousands of them: a record is
    one tuple (the keys shared by the rows of its form, the row, whether it is ok, the values
    as read, then the typed values), not an object and a tuple of values beside it, and
    ``values`` builds the dict on demand.
    """

    __slots__ = ()
    _HEAD = 4  # keys, row, ok, raw; the values follow

    def __new__(cls, row: int, values: dict[str, object],
                raw: dict[str, object] | None = None, ok: bool = True) -> Record:
        # raw is None when the row is ok: its values say it all
        return tuple.__new__(cls, (_shared_keys(tuple(values)), row, ok, raw or None,
                                   *values.values()))

    @property
    def row(self) -> int:  # 1-based, as the spreadsheet shows it
        return self[1]

    @property
    def ok(self) -> bool:
        return self[2]

    @property
    def values(self) -> dict[str, object]:
        return dict(zip(self[0], self[4:], strict=True))

    @property
    def raw(self) -> dict[str, object]:
        return self[3] or {}

    def get(self, key: str, default: object = None) -> object:
        try:
            return self[4 + self[0].index(key)]
        except ValueError:
            return default

    def shared(self, table: ValueTable) -> Record:
        """The same record with its values that repeat across files kept once (``table``)."""
        return tuple.__new__(Record, (*self[:4], *table.share(self[0], self[4:])))

    def __reduce__(self):
        return _record, (self[1], self[0], self[4:], self[3], self[2])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return (self.row, self.values, self.raw, self.ok) == \
            (other.row, other.values, other.raw, other.ok)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # compared by what it says, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"Record(row={self.row}, values={self.values!r}, raw={self.raw!r}, ok={self.ok})"


class ValueTable:
    """Values that repeat across files (dates, a class, a choice, a teacher's name), kept once
    for a collect: each file's result arrives with its own copies, and 10,000 files would
    hold a date or a class name thousands of times. A column whose values are mostly
    different (pupils' names) stops being looked up once that is clear, so that the table
    does not grow with them."""

    _TRIAL = 2048  # rows of a form seen before judging whether a column repeats

    def __init__(self) -> None:
        self._columns: dict[str, dict | None] = {}
        # By the keys of a form's rows: their columns' tables, and how many rows were seen.
        # The parent shares every value of every file while the workers read: one lookup a
        # row and one comprehension, not a call a value, keep it off the workers' CPU.
        self._forms: dict[tuple[str, ...], list] = {}

    def share(self, keys: tuple[str, ...], values) -> list:
        """``values`` (of a row under ``keys``), each that repeats kept once."""
        form = self._forms.get(keys)
        if form is None:
            form = self._forms[keys] = [[self._columns.setdefault(k, {}) for k in keys], 0]
        form[1] += 1
        if form[1] == self._TRIAL:
            self._judge(keys)
        return [v if column is None or type(v) not in _SHAREABLE else column.setdefault(v, v)
                for column, v in zip(form[0], values, strict=True)]

    def _judge(self, keys: tuple[str, ...]) -> None:
        """Stop looking up the columns whose values mostly differ (pupils' names)."""
        for key in keys:
            column = self._columns[key]
            if column is not None and len(column) * 2 > self._TRIAL:
                self._columns[key] = None
        for form_keys, form in self._forms.items():
            form[0] = [self._columns[k] for k in form_keys]


_SHAREABLE = frozenset({str, dt.date, dt.datetime, dt.time})


def value_columns(records: list[Record], keys: list[str],
                  as_read: bool = False) -> Iterator[list]:
    """The values of ``records`` column by column, one list per key in turn (None where a
    record has no such key); with ``as_read``, a row with errors gives its values as read.
    Built from the stored tuples, without a dict per row, and one column at a time so that
    a caller filling a table never holds all of them."""
    groups: dict[tuple[str, ...], list[int]] = {}
    wrong: list[int] = []
    for i, record in enumerate(records):
        if as_read and not record[2]:
            wrong.append(i)
        else:
            groups.setdefault(record[0], []).append(i)
    head = Record._HEAD
    for key in keys:
        column: list = [None] * len(records)
        for stored, rows in groups.items():
            if key in stored:
                at = head + stored.index(key)
                for i in rows:
                    column[i] = records[i][at]
        for i in wrong:
            column[i] = records[i].raw.get(key)
        yield column


_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _shared_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    return _KEYS.setdefault(keys, keys)


def _record(row: int, keys: tuple[str, ...], data: tuple, raw: dict | None, ok: bool) -> Record:
    """A record as unpickled: its keys shared with the other records of its form."""
    return tuple.__new__(Record, (_shared_keys(keys), row, ok, raw, *data))


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

    def share(self, table: ValueTable) -> None:
        """Keep once the values that repeat across files (see ``ValueTable``)."""
        self.records = [record.shared(table) for record in self.records]

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


def saved_order(f: FileResult) -> tuple[float, float, str]:
    """How copies of one respondent's workbook are ordered, oldest first: by when the book
    says it was saved, then by the file's time, then by name."""
    return (f.saved or f.modified, f.modified, f.file)


# What became of a workbook, as the CLI and the report say it.
STATUS_TEXT = Checked.FILE_STATUS


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

    def release_rows(self, form_id: str | None = None) -> None:
        """Let every file's records (of the form ``form_id``, or of all) go once the report's
        tables hold their values: a big collect needs the memory to write the report. How
        many there were is kept."""
        for f in self.files:
            for form in f.forms.values() if form_id is None else \
                    filter(None, [f.forms.get(form_id)]):
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
