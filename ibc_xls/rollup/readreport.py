"""One school report → its identity and its tables, read by value (python-calamine, through
the reading layer's safety checks) and located by its hidden «Паспорт» sheet.

The «Паспорт» lists every named table of the report with its sheet, its range, its headers
and its kind. A report re-saved by Excel or LibreOffice keeps these cells (it may drop custom
properties or recompute formulas), so nothing here relies on the properties or on table
definitions. A table is found by its headers, first where the «Паспорт» says it starts, then
anywhere on its sheet. Runs in an isolated worker: a report is a file from outside too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import pickle
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xlsxwriter.utility import xl_cell_to_rowcol

from ibc_xls.forms.identity import (
    CHECKS_HEADER,
    HEADER_SEPARATOR,
    IDENTITY_SHEET,
    ORDER_SEPARATOR,
    PROPERTY_PREFIX,
    REPORT_FIELDS,
    REPORT_FORMAT,
    REPORT_KIND,
    TABLES_HEADER,
)
from ibc_xls.forms.identity import FIELDS as BLANK_FIELDS
from ibc_xls.forms.identity import REPORT_FORMS_HEADER as FORMS_HEADER
from ibc_xls.forms.summaries import (
    PROBLEMS_SHEET,
    RECONCILIATION_SHEET,
    SOURCE_ROWS_SHEET,
    SOURCES_SHEET,
    SUBMISSIONS_SHEET,
)
from ibc_xls.problems import NO_FORMAT, NOT_A_REPORT, IbcError, Problem, os_reason
from ibc_xls.reading.rawread import read_raw
from ibc_xls.text import Report

if TYPE_CHECKING:  # the reader imports nothing of the checking
    from ibc_xls.checking.results import ValueTable

SUMMARY_KIND = "office_summary"  # the identity kind of rollup's own summary workbook
# The report's own sheets that the summary does not use: not read (a third of the time).
_NOT_READ = frozenset({SUBMISSIONS_SHEET, PROBLEMS_SHEET, RECONCILIATION_SHEET, SOURCES_SHEET,
                       SOURCE_ROWS_SHEET})
_RANGE = re.compile(r"^([A-Z]+\d+):([A-Z]+\d+)$")


@dataclass
class TableRead:
    """A named table of a report: its headers, its rows and total row (values as read, ""
    as None, whole numbers as int) and where its header row stands (zero-based)."""

    name: str
    sheet: str
    kind: str
    headers: list[str]
    rows: list[tuple]
    total: list | None
    header_row: int
    order: str = ""
    top: int = 0

    def column(self, header: str) -> int | None:
        return self.headers.index(header) if header in self.headers else None

    def row(self, row: int) -> int:
        """The sheet's zero-based row of a table row: 0 is the first data row, -1 the header."""
        return self.header_row + 1 + row


@dataclass
class Check:
    """How a key figure is counted again (``ibc_xls.report.figures.FigureCheck``, as listed)."""

    label: str
    form: str
    count: str
    column: str
    class_column: str
    where: list[tuple[str, tuple[str, ...]]]
    table: str


@dataclass
class ReportRead:
    """What one school report holds."""

    file: str
    identity: dict[str, str]
    tables: dict[str, TableRead] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    # form id → its version, its sheet in the blanks, its raw data table
    forms: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # The raw data tables (most of the cells) pickled, while the main process keeps them out
    # of memory (``read_packed``, ``Stash``); then where they are in the stash.
    packed: bytes = b""
    stashed: tuple[int, int] | None = None
    sha256: str = ""
    size: int = 0
    modified: float = 0.0

    @property
    def school(self) -> str:
        return self.identity.get("school", "")

    @property
    def created(self) -> str:
        return self.identity.get("created", "")


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _value(value):
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _loose(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _rows(sheet) -> list[list]:
    """The sheet's rows from A1 on (calamine trims leading empty rows and columns)."""
    top, left = sheet.origin
    pad = [""] * left
    return [[""] * (left + len(sheet.rows[0]) if sheet.rows else 0)] * top + \
        [pad + row for row in sheet.rows]


def _passport(rows: list[list]) -> tuple[dict[str, str], list[list[str]], list[list[str]],
                                         list[list[str]]]:
    """The identity fields and the three lists of the «Паспорт» sheet."""
    identity: dict[str, str] = {}
    sections: dict[tuple[str, ...], list[list[str]]] = {
        TABLES_HEADER: [], CHECKS_HEADER: [], FORMS_HEADER: []}
    current = None
    known = {name for name, _ in REPORT_FIELDS} | {name for name, _ in BLANK_FIELDS}
    for row in rows:
        cells = [_text(v) for v in row]
        first = cells[0] if cells else ""
        header = next((h for h in sections if tuple(cells[:len(h)]) == h), None)
        if header is not None:
            current = sections[header]
        elif not first:
            current = None
        elif current is not None:
            current.append(cells + [""] * 8)
        elif first in known and len(cells) > 2:
            identity[first] = cells[2]
    return identity, sections[TABLES_HEADER], sections[CHECKS_HEADER], sections[FORMS_HEADER]


def _find_header(rows: list[list], headers: list[str], hint: int) -> int | None:
    wanted = [_loose(h) for h in headers]
    n = len(wanted)

    def matches(r: int) -> bool:
        return 0 <= r < len(rows) and [_loose(_text(v)) for v in rows[r][:n]] == wanted

    if matches(hint):
        return hint
    return next((r for r in range(len(rows)) if matches(r)), None)


def _table(rows: list[list], listed: list[str]) -> TableRead | None:
    name, sheet, kind, ref, total, order, top, headers = listed[:8]
    headers_list = headers.split(HEADER_SEPARATOR) if headers else []
    found = _RANGE.match(ref)
    if not found or not headers_list:
        return None
    first, _ = xl_cell_to_rowcol(found[1])
    last, _ = xl_cell_to_rowcol(found[2])
    header_row = _find_header(rows, headers_list, first)
    if header_row is None:
        return None
    has_total = total == Report.YES
    count = last - first - has_total
    width = len(headers_list)

    def values(r: int) -> list:
        row = rows[r] if r < len(rows) else []
        return [_value(v) for v in (list(row[:width]) + [""] * width)[:width]]

    data = [values(r) for r in range(header_row + 1, header_row + 1 + count)]
    # A table of one empty placeholder row has no rows.
    data = [row for row in data if any(v is not None for v in row)]
    return TableRead(name, sheet, kind, headers_list, data,
                     values(header_row + 1 + count) if has_total else None, header_row, order,
                     int(top) if top.isdigit() else 0)


def read_report(path: Path, base: Path | None = None) -> ReportRead:
    """Read one school report. Raises IbcError for a file that is no readable report of this
    format (``report-not-report``, ``report-format`` or a reading problem)."""
    name = display(path, base)
    raw = read_raw(path, skip=_NOT_READ)

    def refuse(code: str, **params) -> IbcError:
        return IbcError(Problem(code, file=name, params=params))

    sheet = raw.sheets.get(IDENTITY_SHEET)
    properties = {k[len(PROPERTY_PREFIX):]: v for k, v in raw.properties.items()
                  if k.startswith(PROPERTY_PREFIX)}
    if sheet is None:
        what = NOT_A_REPORT["passport-deleted" if properties.get("kind") == REPORT_KIND
                            else "no-passport"].format(sheet=IDENTITY_SHEET)
        raise refuse("report-not-report", what=what)
    identity, tables, checks, forms = _passport(_rows(sheet))
    kind = identity.get("kind", "")
    if kind != REPORT_KIND:
        what = NOT_A_REPORT["summary" if kind == SUMMARY_KIND
                            else "blank" if identity.get("template") else "other"]
        raise refuse("report-not-report", what=what)
    if identity.get("format") != REPORT_FORMAT:
        raise refuse("report-format", found=identity.get("format") or NO_FORMAT,
                      expected=REPORT_FORMAT)
    report = ReportRead(name, identity, sha256=raw.sha256, size=raw.size,
                        modified=path.stat().st_mtime)
    cache: dict[str, list[list]] = {}
    for listed in tables:
        sheet_name = listed[1]
        if not listed[2] or sheet_name in _NOT_READ:
            continue  # one of the report's own tables (submissions, sources …)
        if sheet_name not in raw.sheets:
            table = None
        else:
            if sheet_name not in cache:
                cache[sheet_name] = _rows(raw.sheets[sheet_name])
            table = _table(cache[sheet_name], listed)
        if table is None:
            report.problems.append(Problem("report-table-missing", file=name, sheet=sheet_name,
                                           params={"table": listed[0]}))
        else:
            report.tables[table.name] = table
    for label, form, count, column, class_column, where, table, *_ in checks:
        pairs = []
        for part in where.split(ORDER_SEPARATOR) if where else []:
            header, _, chosen = part.partition("=")
            pairs.append((header, tuple(chosen.split(HEADER_SEPARATOR))))
        report.checks.append(Check(label, form, count, column, class_column, pairs, table))
    report.forms = {f[0]: (f[1], f[2], f[3]) for f in forms}
    return report


def read_packed(path: Path, base: Path | None = None) -> ReportRead:
    """``read_report``, its raw data tables pickled into ``packed`` (for ``Stash``)."""
    report = read_report(path, base)
    data = {name: t for name, t in report.tables.items() if t.kind == "data"}
    report.packed = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    for name in data:
        del report.tables[name]
    return report


class Stash:
    """A temporary file that holds the reports' raw data tables while the readers run, so
    that the main process does not hold every school's rows beside the readers' memory;
    they come back once the readers have stopped. A file that cannot be written or read
    back (a full disk, a temporary folder one may not write in) raises IbcError
    ``temp-failed``."""

    def __init__(self, file, folder: str):
        self.file = file  # a binary temporary file, open for writing and reading
        self.folder = folder

    @classmethod
    @contextlib.contextmanager
    def temporary(cls) -> Iterator[Stash]:
        """A stash in a new temporary file of the temporary folder, removed after."""
        try:
            folder = tempfile.gettempdir()
        except OSError as exc:  # not one of the candidate folders takes a file
            raise IbcError(Problem("temp-failed", params={"why": "none"})) from exc
        with contextlib.ExitStack() as stack:
            try:
                file = stack.enter_context(tempfile.TemporaryFile(
                    prefix="ibc-xls-rollup-", dir=folder))
            except OSError as exc:
                raise _failed(folder, exc) from exc
            yield cls(file, folder)

    def put(self, report: ReportRead) -> None:
        try:
            offset = self.file.seek(0, 2)
            self.file.write(report.packed)
            self.file.flush()  # a write that fails fails here, not when the file is closed
        except OSError as exc:
            raise _failed(self.folder, exc) from exc
        report.stashed = (offset, len(report.packed))
        report.packed = b""

    def take(self, report: ReportRead, shared: ValueTable) -> None:
        if report.stashed is None:
            return
        offset, size = report.stashed
        try:
            self.file.seek(offset)
            data = self.file.read(size)
            if len(data) < size:  # the file was cut short behind our back
                raise OSError(errno.EIO, "the temporary file is shorter than written")
        except OSError as exc:
            raise _failed(self.folder, exc, reading=True) from exc
        tables = pickle.loads(data)
        _share(tables.values(), shared)
        report.tables.update(tables)
        report.stashed = None


def _failed(folder: str, exc: OSError, reading: bool = False) -> IbcError:
    return IbcError(Problem("temp-failed", params={
        "why": "read" if reading else "write", "folder": folder,
        "reason": os_reason(exc, writing=not reading)}))


def compact(report: ReportRead, shared: ValueTable) -> ReportRead:
    """``report`` with its cells shared with the other reports' and its rows kept as tuples;
    called in the main process as each report arrives from its reader. The main process keeps
    every counted school's tables until the summary is written, and the reports repeat most of
    their cells (choice values, the municipal roadmap's measures, classes, dates, headers)."""
    _share(report.tables.values(), shared)
    return report


def _share(tables: Iterable[TableRead], shared: ValueTable) -> None:
    for table in tables:
        keys = tuple((table.name, h) for h in table.headers)
        table.headers = shared.share(keys, table.headers)
        table.rows = [tuple(shared.share(keys, row)) for row in table.rows]
        if table.total is not None:
            table.total = shared.share(keys, table.total)


def display(path: Path, base: Path | None) -> str:
    """How a file is named in messages: relative to the office's folder where it lies there."""
    if base is not None:
        try:
            # realpath, not Path.resolve: on a link that points to itself resolve raises
            # (before Python 3.13) where the reading would say what is wrong with the file.
            return str(Path(os.path.realpath(path)).relative_to(base))
        except ValueError:
            pass
    return str(path)


def period_code(identity: dict[str, str]) -> str:
    """``2026-04`` for the April report (1 October – 31 March), ``2026-10`` for the October
    one; the dates for another range."""
    try:
        start = dt.date.fromisoformat(identity.get("period_start", ""))
        end = dt.date.fromisoformat(identity.get("period_end", ""))
    except ValueError:
        return ""
    if (start.month, start.day, end.month, end.day) == (10, 1, 3, 31) \
            and end.year == start.year + 1:
        return f"{end.year}-04"
    if (start.month, start.day, end.month, end.day) == (4, 1, 9, 30) and end.year == start.year:
        return f"{end.year}-10"
    return f"{start}_{end}"

