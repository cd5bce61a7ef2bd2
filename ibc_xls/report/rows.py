"""The rows read, each with why it is not counted in the report's figures, and the counted
rows of a form as a frame (no I/O).

Which rows count
----------------
A row read from a returned workbook is *counted* in the report's figures when all hold:

1. its workbook is taken: it was read (not refused), it is not of another school or academic
   year (``wrong-school``, ``wrong-year``), and it is not replaced (``workbook-replaced``: when
   a respondent handed in several, the last saved one is used, see ``validate.check_across``);
2. the row has no error: its record is ok and no error points at a cell of its row (such as an
   entry repeated in another workbook, unless that workbook is not taken);
3. it lies in the report's period, up to the reporting date (``as_of``) if that is earlier.
   For a free-row form with date columns, the row's latest date decides (a course counts when
   it ends). The roadmap (a fixed-row form) reports statuses as of the reporting date and is
   not filtered; a form without dates (reader's diaries) counts for the whole academic year.

Nothing read disappears: every row is in the raw data tables with whether it was counted and
why not, and the reconciliation shows, per form, read = counted + with errors + outside the
period + in workbooks not taken.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ibc_xls.checking.results import FileResult, Record, value_columns
from ibc_xls.forms.spec import FormSpec
from ibc_xls.problems import Problem, Severity
from ibc_xls.text import Consolidated as C

BLOCKING = frozenset({"wrong-school", "wrong-year"})
WHY_REFUSED = C.WHY_REFUSED
WHY_BLOCKED = C.WHY_BLOCKED
WHY_SUPERSEDED = C.WHY_SUPERSEDED
WHY_ERRORS = C.WHY_ERRORS
WHY_PERIOD = C.WHY_PERIOD
# Why a workbook is not taken, whatever its rows hold.
NOT_TAKEN = (WHY_REFUSED, WHY_BLOCKED, WHY_SUPERSEDED)


@dataclass(slots=True)
class Row:
    """One record read, with where it came from, the text of its problems and why it is not
    counted."""

    file: FileResult
    record: Record
    notes: str = ""
    why_not: str = ""


@dataclass
class Rows:
    """Every record read of one form, column by column (a list for each field of ``Row``,
    not an object a row: a big collect has hundreds of thousands of them); iterating gives
    ``Row``s."""

    files: list[FileResult] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    why_not: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[Row]:
        return map(Row, self.files, self.records, self.notes, self.why_not)

    def counted(self) -> list[Record]:
        return [r for r, why in zip(self.records, self.why_not, strict=True) if not why]


def taken_files(files: list[FileResult]) -> dict[str, str]:
    """File name → why none of its rows count ("" when the workbook is taken)."""
    why: dict[str, str] = {}
    for f in files:
        if f.refused:
            why[f.file] = WHY_REFUSED
        elif any(p.code in BLOCKING for p in f.problems):
            why[f.file] = WHY_BLOCKED
        elif f.replaced:
            why[f.file] = WHY_SUPERSEDED
        else:
            why[f.file] = ""
    return why


def _row_problems(f: FileResult) -> dict[tuple[str, int], list[Problem]]:
    """(sheet, 1-based row) → the problems pointing at a cell of that row."""
    found: dict[tuple[str, int], list[Problem]] = defaultdict(list)
    for p in f.problems:
        if p.row is not None and p.sheet:
            found[(p.sheet, p.row + 1)].append(p)
    return found


def _blocks(p: Problem, taken: dict[str, str]) -> bool:
    """Whether a problem keeps its row out of the figures: an error, except an entry repeated
    in a workbook that is not taken (the respondent's earlier workbook, say)."""
    if p.severity is not Severity.ERROR:
        return False
    return not (p.code == "duplicate-entry" and taken.get(p.params.get("other", "")))


def _row_date(values: Record, date_keys: list[str]) -> dt.date | None:
    """The latest date of a row (None without one)."""
    if len(date_keys) == 1:
        day = values.get(date_keys[0])
        return day if isinstance(day, dt.date) else None
    days = [d for d in map(values.get, date_keys) if isinstance(d, dt.date)]
    return max(days) if days else None


def read_rows(files: list[FileResult], specs: dict[str, FormSpec], taken: dict[str, str],
          first: dt.date, last: dt.date, messages: dict[int, str]) -> dict[str, Rows]:
    """Every record of every file by form id, each with its problems and why it is not counted
    (a dated row counts from ``first`` to ``last``)."""
    rows: dict[str, Rows] = defaultdict(Rows)
    none: list[Problem] = []
    for f in files:
        by_row = _row_problems(f)
        excluded = taken[f.file]
        for form_id, form in f.forms.items():
            spec = specs.get(form_id)
            date_keys = [] if spec is None or spec.rows == "fixed" else \
                [c.key for c in spec.columns if c.type == "date"]
            found = rows[form_id]
            files, records, notes, why_not = \
                found.files, found.records, found.notes, found.why_not
            for record in form.records:
                problems = by_row.get((form.sheet, record.row), none) if by_row else none
                why = excluded
                if not why:
                    if not record.ok or (problems and any(_blocks(p, taken)
                                                          for p in problems)):
                        why = WHY_ERRORS
                    elif date_keys:
                        day = _row_date(record, date_keys)
                        if day is not None and not first <= day <= last:
                            why = WHY_PERIOD
                files.append(f)
                records.append(record)
                notes.append(_notes(problems, messages))
                why_not.append(why)
    return rows


def _notes(problems: list[Problem], messages: dict[int, str]) -> str:
    """The problems of a row as one text: «cell: message», a line each."""
    if not problems:
        return ""
    return "\n".join(f"{p.cell}: {messages[id(p)]}" for p in problems)


def counted_frame(spec: FormSpec, records: list[Record]) -> pd.DataFrame:
    """Counted rows of a form as a frame keyed by column key (objects kept as they are;
    None where a value is missing)."""
    keys = [c.key for c in spec.columns]
    return object_frame(value_columns(records, keys), keys, len(records))


def object_frame(columns: Iterable[list], names: list[str], rows: int) -> pd.DataFrame:
    """A frame of Python objects as they are, filled into one block a column at a time (a
    generator of columns never holds more than one): from a dict of lists pandas would hold
    every column twice more while it builds."""
    block = np.empty((rows, len(names)), dtype=object)
    for j, column in enumerate(columns):
        block[:, j] = column
    return pd.DataFrame(block, columns=names, copy=False)
