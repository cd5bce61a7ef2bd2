"""The report's tables of what was handed in and read, beside the summaries: submissions,
problems, sources, rows per file and form, each form's raw data and the reconciliation of rows
read with rows counted (no I/O).

Submissions
-----------
Each expected respondent (``respondents(config, specs)``) gets a row per workbook handed in, or
one row «не сдан». A workbook's status: «принят» (no problems), «принят, есть замечания»
(warnings only), «есть ошибки» (its rows without errors are counted, the others are not),
«не принята» (nothing could be taken: unreadable, not a blank of ibc-xls, another version,
empty, or of another school or year), «заменена» (a later workbook of the same respondent is
counted instead; its own problems do not touch the used one).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from ibc_xls.checking.results import STATUS_TEXT, FileResult, saved_order, value_columns
from ibc_xls.forms.spec import FormSpec
from ibc_xls.problems import Problem, Severity
from ibc_xls.report.analyses import NO, NOTES, TOTAL_LABEL, YES
from ibc_xls.report.rows import (
    BLOCKING,
    WHY_BLOCKED,
    WHY_ERRORS,
    WHY_PERIOD,
    WHY_REFUSED,
    WHY_SUPERSEDED,
    Rows,
    object_frame,
)
from ibc_xls.settings.config import Config
from ibc_xls.settings.respondents import ROLE_TITLES, respondents
from ibc_xls.sheets.sheet import Table
from ibc_xls.text import Consolidated as C

# Headers of computed columns; the report finds its highlights by them.
COUNTED = C.COUNTED
WHY_NOT = C.WHY_NOT
FILE, ROW = C.FILE, C.ROW
STATUS_NOT_SENT = C.NOT_SENT
STATUS_SUPERSEDED = STATUS_TEXT["replaced"]
SEVERITY_TEXT = {Severity.ERROR: C.ERROR, Severity.WARNING: C.WARNING}


@dataclass
class FormData:
    """Every row read of one form, counted or not, ready for the report's raw data sheet."""

    form_id: str
    version: int
    sheet: str
    title: str
    table: Table


def _headers(titles: list[str], reserved: list[str]) -> list[str]:
    """Spec titles made distinct from the report's own headers (a table's headers must be
    unique, case aside)."""
    taken = {t.casefold() for t in reserved}
    result = []
    for title in titles:
        name = title
        while name.casefold() in taken:
            name = C.FORM_COLUMN.format(title=name)
        taken.add(name.casefold())
        result.append(name)
    return result


def form_data(spec: FormSpec, rows: Rows) -> FormData:
    """The raw data table of one form: where each row came from, whether it counted, its
    problems, then the spec's columns (typed values; as read for a row with errors)."""
    meta = [FILE, ROW, C.RESPONDENT, C.BLANK_CLASS, COUNTED, WHY_NOT, NOTES]
    titles = _headers([c.title for c in spec.columns], meta)
    def where_from() -> Iterator[list]:  # one column at a time, as object_frame takes them
        yield [f.file for f in rows.files]
        yield [r.row for r in rows.records]
        yield [f.identity.get("respondent", "") for f in rows.files]
        yield [f.identity.get("class_name", "") for f in rows.files]
        yield [NO if why else YES for why in rows.why_not]
        yield rows.why_not
        yield rows.notes

    values = value_columns(rows.records, [c.key for c in spec.columns],
                           as_read=True)
    frame = object_frame(itertools.chain(where_from(), values), meta + titles, len(rows))
    widths = {FILE: 24, ROW: 7, C.RESPONDENT: 18, C.BLANK_CLASS: 7, COUNTED: 8, WHY_NOT: 16,
              NOTES: 32}
    widths |= {t: min(c.width or 14, 24) for t, c in zip(titles, spec.columns, strict=True)}
    return FormData(spec.id, spec.version, spec.sheet, spec.title, Table(frame, widths=widths))


def reconciliation(specs: list[FormSpec], rows: dict[str, Rows]) -> Table:
    header = [C.FORM, C.ROWS_READ, C.COUNTED, C.WITH_ERRORS, C.OUTSIDE,
              C.IN_EXCLUDED, C.AGREES]
    data = []
    for spec in specs:
        reasons = rows[spec.id].why_not if spec.id in rows else []
        read = len(reasons)
        counted = reasons.count("")
        errors = reasons.count(WHY_ERRORS)
        outside = reasons.count(WHY_PERIOD)
        excluded = sum(w in (WHY_REFUSED, WHY_BLOCKED, WHY_SUPERSEDED) for w in reasons)
        ok = read == counted + errors + outside + excluded
        data.append([spec.sheet, read, counted, errors, outside, excluded, YES if ok else NO])
    frame = pd.DataFrame(data, columns=header)
    total = {header[0]: TOTAL_LABEL, **{h: int(frame[h].sum()) for h in header[1:-1]}}
    return Table(frame, total=total)


def _modified(f: FileResult) -> dt.datetime | None:
    if not f.modified:
        return None
    return dt.datetime.fromtimestamp(f.modified).replace(microsecond=0)


def _file_status(f: FileResult, why: str, errors: int, warnings: int,
                 messages: dict[int, str]) -> tuple[str, str]:
    """(status, note) of one workbook handed in."""
    if why == WHY_SUPERSEDED:
        used = next((p.params.get("used", "") for p in f.problems
                     if p.code == "workbook-replaced"), "")
        return STATUS_SUPERSEDED, C.SUPERSEDED_BY.format(used=used)
    if why == WHY_BLOCKED:
        blocking = [messages[id(p)] for p in f.problems if p.code in BLOCKING]
        return STATUS_TEXT["refused"], " ".join(blocking)
    if why == WHY_REFUSED:
        first = next((messages[id(p)] for p in f.problems if p.severity is Severity.ERROR), "")
        return STATUS_TEXT["refused"], first
    return STATUS_TEXT["errors" if errors else "warnings" if warnings else "ok"], ""


def submissions(files: list[FileResult], taken: dict[str, str],
                 rows: dict[str, Rows], config: Config, specs: list[FormSpec],
                 counts: dict[str, tuple[int, int]], messages: dict[int, str]) -> Table:
    """Every expected respondent with each workbook they handed in (or «не сдан»), then the
    workbooks of nobody expected."""
    header = [C.RESPONDENT, C.NAME, C.CLASS, FILE, C.SENT, C.STATUS, C.ERRORS, C.WARNINGS,
              C.LINES_READ, C.LINES_COUNTED, C.REMARK]
    read: dict[str, int] = defaultdict(int)
    used: dict[str, int] = defaultdict(int)
    for form_rows in rows.values():
        for f, why in zip(form_rows.files, form_rows.why_not, strict=True):
            read[f.file] += 1
            used[f.file] += not why
    by_respondent: dict[str, list[FileResult]] = defaultdict(list)
    for f in files:
        by_respondent[f.identity.get("respondent_id", "")].append(f)

    def line(role: str, name: str, class_name: str, f: FileResult | None) -> list:
        if f is None:
            return [role, name, class_name, "", None, STATUS_NOT_SENT, 0, 0, 0, 0, ""]
        errors, warnings = counts[f.file]
        status, note = _file_status(f, taken[f.file], errors, warnings, messages)
        return [role, name, class_name, f.file, _modified(f), status, errors, warnings,
                read[f.file], used[f.file], note]

    data = []
    people = respondents(config, specs)
    for person in people:
        handed = sorted(by_respondent.pop(person.id, []), key=saved_order)
        role = ROLE_TITLES[person.role]
        for f in handed or [None]:
            data.append(line(role, person.name, person.class_name, f))
    for f in (f for group in by_respondent.values() for f in group):
        ident = f.identity
        data.append(line(C.NOT_LISTED, ident.get("respondent", ""),
                         ident.get("class_name", ""), f))
    frame = pd.DataFrame(data, columns=header, dtype=object)
    widths = {C.RESPONDENT: 20, C.NAME: 28, C.CLASS: 7, FILE: 34, C.SENT: 16, C.STATUS: 16,
              C.ERRORS: 8, C.WARNINGS: 10, C.LINES_READ: 10, C.LINES_COUNTED: 10,
              C.REMARK: 40}
    return Table(frame, widths=widths)


def _field_title(p: Problem, titles: dict[tuple[str, str], str]) -> str:
    return p.params.get("title") or titles.get((p.sheet, p.field), p.field)


def problems(files: list[FileResult], specs: dict[str, FormSpec],
              messages: dict[int, str]) -> Table:
    """Every problem found, with its file, sheet, cell, field title and the value read."""
    header = [FILE, C.SHEET, C.CELL, C.FIELD, C.VALUE, C.SEVERITY, C.MESSAGE, C.CODE]
    titles = {(s.sheet, c.key): c.title for s in specs.values() for c in s.columns}
    data = []
    for f in files:
        for p in f.problems:
            value = p.value
            if value is not None and not isinstance(value, str | int | float | bool | dt.date):
                value = str(value)
            data.append([f.file, p.sheet, p.cell, _field_title(p, titles), value,
                         SEVERITY_TEXT[p.severity], messages[id(p)], p.code])
    widths = {FILE: 30, C.SHEET: 20, C.CELL: 8, C.FIELD: 22, C.VALUE: 20, C.SEVERITY: 11,
              C.MESSAGE: 60, C.CODE: 18}
    return Table(pd.DataFrame(data, columns=header, dtype=object), widths=widths)


def sources(files: list[FileResult], submissions: Table) -> Table:
    """Every file read: what it is, when it was saved, its size and checksum, its status."""
    status_of = {f: s for f, s in zip(submissions.frame[FILE], submissions.frame[C.STATUS],
                                       strict=True) if f}
    header = [FILE, C.FORMAT, C.RESPONDENT, C.CLASS, C.TEMPLATE, C.TEMPLATE_VERSION, C.MODIFIED,
              C.SIZE, "SHA-256", C.STATUS, C.LINES_READ]
    data = []
    for f in files:
        ident = f.identity
        data.append([f.file, f.format, ident.get("respondent", ""), ident.get("class_name", ""),
                     ident.get("template", ""), ident.get("template_version", ""),
                     _modified(f), f.size, f.sha256, status_of.get(f.file, ""),
                     sum(f.rows().values())])
    widths = {FILE: 32, C.FORMAT: 8, C.RESPONDENT: 24, C.CLASS: 7, C.TEMPLATE: 14,
              C.TEMPLATE_VERSION: 22, C.MODIFIED: 15, C.SIZE: 10, "SHA-256": 18,
              C.STATUS: 15, C.LINES_READ: 10}
    return Table(pd.DataFrame(data, columns=header, dtype=object), widths=widths)


def source_rows(files: list[FileResult], specs: list[FormSpec],
                 rows: dict[str, Rows]) -> Table:
    """Rows read per file and form, and how many of them count."""
    header = [FILE, C.FORM, C.LINES_READ, C.COUNTED, C.NOT_COUNTED]
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for form_id, form_rows in rows.items():
        for f, why in zip(form_rows.files, form_rows.why_not, strict=True):
            tally = counts[(f.file, form_id)]
            tally[0] += 1
            tally[1] += not why
    data = []
    for f in files:
        for spec in specs:
            if spec.id in f.forms:
                read, used = counts[(f.file, spec.id)]
                data.append([f.file, spec.sheet, read, used, read - used])
    frame = pd.DataFrame(data, columns=header).astype({h: "int64" for h in header[2:]})
    return Table(frame, widths={FILE: 36, C.FORM: 26, C.LINES_READ: 11, C.COUNTED: 10,
                                C.NOT_COUNTED: 10})
