"""``ibc-xls review``: every respondent whose returned workbook has problems gets their own
workbook back, with each problem marked in its cell.

The copy is made from the form specs like a blank (``generate.build``: same protection,
dropdowns, hints and identity, so that it reads back like any return and replaces the earlier
one) — or from a stencil of its kind, which comes to the same (``review.stencil``) — with
every value the respondent entered in its cell: as understood where it was, as
read where it was not. A cell with a problem gets a fill and a comment with the Russian
message; a first sheet «Что исправить» lists every problem with a link to its cell. The
returned file itself is only read. A list for sending the copies goes beside them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import xlsxwriter

from ibc_xls.blanks.generate import (
    WRITERS,
    Filling,
    Mark,
    build,
    safe_file_name,
)
from ibc_xls.cells import a1
from ibc_xls.checking.check import check_paths
from ibc_xls.checking.results import FileResult
from ibc_xls.forms.layout import FIRST_DATA_ROW
from ibc_xls.forms.spec import FormSpec
from ibc_xls.output import remove_stale_temporaries, write_atomic
from ibc_xls.problems import IbcError, Problem, Severity
from ibc_xls.review.front import Front, Item, front_sheet
from ibc_xls.review.stencil import CopyStencils
from ibc_xls.settings.config import Config
from ibc_xls.settings.respondents import ROLE_TITLES, Respondent, respondents
from ibc_xls.sheets.formats import BASE, LINK_COLOR, workbook_options
from ibc_xls.sheets.xlsx import A4, Checked
from ibc_xls.text import Review

COPY_SUFFIX = Review.COPY_SUFFIX
SENDING_LIST = Review.SENDING_LIST
# From this many copies on, they are made in worker processes, one per core. A copy takes
# 5–10 ms from its stencil; starting the workers about a second, more than they save for a
# school's few dozen returns.
PARALLEL_FROM = 150

# What became of one return (the words agree with «копия»).
STATUS_TEXT = Review.STATUS


@dataclass(frozen=True)
class Entry:
    """What review did with one returned workbook."""

    file: str  # the return, as named in messages
    status: str  # written | locked | done | refused | replaced
    respondent: str = ""
    class_name: str = ""
    role: str = ""
    errors: int = 0
    warnings: int = 0
    copy: Path | None = None  # where the copy is (or would have been, if locked)
    reason: str = ""  # why there is no copy, or why it was not written

    @property
    def who(self) -> str:
        """The respondent as the ИБЦ head knows them: «5А класс — Иванова» or «Зав. ИБЦ —
        …»; empty when the return does not say."""
        if self.class_name:
            return Review.WHO_CLASS.format(class_name=self.class_name, name=self.respondent)
        if self.role in ROLE_TITLES:
            return Review.WHO_ROLE.format(role=ROLE_TITLES[self.role], name=self.respondent)
        return self.respondent

    def to_json(self) -> dict:
        return {"file": self.file, "status": self.status, "respondent": self.respondent,
                "class": self.class_name, "role": self.role, "errors": self.errors,
                "warnings": self.warnings, "copy": str(self.copy) if self.copy else None,
                "reason": self.reason}


@dataclass
class ReviewResult:
    """Every return and what became of it, the folder of the copies and the sending list."""

    entries: list[Entry]
    folder: Path
    as_of: dt.date
    sending_list: Path | None = None
    list_problem: Problem | None = None  # why the sending list was not written

    def count(self, status: str) -> int:
        return sum(e.status == status for e in self.entries)

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(), "folder": str(self.folder),
            "sending_list": str(self.sending_list) if self.sending_list else None,
            "sending_list_problem": self.list_problem.message if self.list_problem else None,
            "entries": [e.to_json() for e in self.entries],
            "summary": {status: self.count(status) for status in STATUS_TEXT},
        }


# --- what goes into a copy ---------------------------------------------------------------------

@dataclass
class Plan:
    """A copy as planned from a return: the filling of its cells and the lines of its first
    sheet."""

    filling: Filling
    items: list[Item] = field(default_factory=list)


def _data_rows(form: FormSpec, records) -> dict[int, int]:
    """Each record's row in the return (1-based) → its data row in the copy (0 is the first):
    a plan's row where the blank has it, a free row where it was, moved down only if rows
    above the table were deleted."""
    if form.rows == "fixed":
        key = next((c.key for c in form.columns if c.prefilled), None)
        index = {row.get(key): i for i, row in enumerate(form.fixed_rows)} if key else {}
        return {r.row: index[r.get(key)] for r in records if r.get(key) in index}
    if not records:
        return {}
    top = min(r.row for r in records) - 1
    shift = max(0, FIRST_DATA_ROW - top)
    return {r.row: r.row - 1 - FIRST_DATA_ROW + shift for r in records}


def _cell_values(record, keys: list[str]) -> dict[str, object]:
    """What the copy shows in a record's input cells (``keys``: their columns): the value
    understood, or where it was not, the value as read."""
    typed = record.values
    raw = record.raw
    result = {}
    for key in keys:
        value = typed.get(key)
        result[key] = raw.get(key) if value is None else value
    return result


def plan_copy(result: FileResult, forms: tuple[FormSpec, ...]) -> Plan:
    """The values, marks and lines of «Что исправить» of a copy of ``result`` with ``forms``."""
    filling = Filling()
    by_sheet: dict[str, tuple[FormSpec, dict[int, int], dict[str, int]]] = {}
    for form in forms:
        found = result.forms.get(form.id)
        if found is None:
            continue
        rows = _data_rows(form, found.records)
        values = filling.values.setdefault(form.id, {})
        keys = [column.key for column in form.input_columns]
        for record in found.records:
            if record.row in rows:
                values[rows[record.row]] = _cell_values(record, keys)
        columns = {c.key: i for i, c in enumerate(form.columns)}
        by_sheet[found.sheet] = (form, rows, columns)
    plan = Plan(filling)
    notes: dict[tuple[str, int, str], list[Problem]] = {}
    for problem in result.problems:
        severity = problem.severity.value
        target = by_sheet.get(problem.sheet) \
            if problem.row is not None and problem.field else None
        row = target[1].get(problem.row + 1) if target else None
        if target is None or row is None or problem.field not in target[2]:
            where = ", ".join(x for x in (
                problem.sheet and Review.ON_SHEET.format(sheet=problem.sheet),
                problem.cell and Review.IN_CELL.format(cell=problem.cell)) if x)
            plan.items.append(Item(severity, problem.message, where=where))
            continue
        form, _, columns = target
        at = (FIRST_DATA_ROW + row, columns[problem.field])
        plan.items.append(Item(severity, problem.message, form.sheet, a1(*at), at=at))
        notes.setdefault((form.id, row, problem.field), []).append(problem)
    for (form_id, row, key), problems in notes.items():
        error = any(p.severity is Severity.ERROR for p in problems)
        note = "\n".join((Review.NOTE_ERROR if p.severity is Severity.ERROR
                          else Review.NOTE_WARNING).format(message=p.message) for p in problems)
        filling.marks.setdefault(form_id, {})[row, key] = Mark(
            "error" if error else "warning", note)
    order = {form.sheet: i for i, form in enumerate(forms)}
    # General problems first, then the cells sheet by sheet, row by row, left to right.
    plan.items.sort(key=lambda i: (bool(i.cell), order.get(i.sheet, -1), i.at))
    return plan


# --- one copy ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """One copy to make: the return as checked, for whom, and where it goes."""

    result: FileResult
    respondent: Respondent
    target: Path


def make_copy(result: FileResult, respondent: Respondent, config: Config, as_of: dt.date,
              created: dt.datetime, stencils: CopyStencils | None = None) -> bytes:
    """The copy of one return for its respondent, as the bytes of an .xlsx file: from the
    stencil of its kind in ``stencils`` (those of one run), or built whole without."""
    plan = plan_copy(result, respondent.forms)
    errors = sum(i.severity == "error" for i in plan.items)
    front = Front(respondent.label, config.school, config.year_label,
                  Path(result.file).name, as_of, config.return_to, errors,
                  len(plan.items) - errors)
    if stencils is not None:
        return stencils.copy(respondent, plan.filling, front, plan.items)
    plan.filling.front = partial(front_sheet, front=front, items=plan.items)
    return build(respondent, config, created, plan.filling)


def _put(data: bytes, file) -> None:
    file.write(data)


def _write(target: Path, data: bytes) -> Problem | None:
    """Write one copy; the problem that kept it from being written, if any."""
    try:
        write_atomic(target, partial(_put, data), sweep=False)
    except IbcError as exc:
        return exc.problems[0]
    return None


_WORKER: dict = {}


def _worker_init(config: Config, as_of: dt.date, created: dt.datetime) -> None:
    _WORKER.update(config=config, as_of=as_of, created=created,
                   stencils=CopyStencils(config, created))


def _worker_copy(job: Job) -> bytes:
    return make_copy(job.result, job.respondent, _WORKER["config"], _WORKER["as_of"],
                     _WORKER["created"], _WORKER["stencils"])


def _made(jobs: list[Job], config: Config, as_of: dt.date, created: dt.datetime,
          workers: int | None) -> Iterator[bytes]:
    """Each copy's bytes, in order. ``workers``: processes to make them in (None: one per
    core when there are ``PARALLEL_FROM`` or more; 1: in this process)."""
    count = workers or (os.cpu_count() or 1 if len(jobs) >= PARALLEL_FROM else 1)
    count = min(count, len(jobs))
    if count < 2:
        stencils = CopyStencils(config, created)
        for job in jobs:
            yield make_copy(job.result, job.respondent, config, as_of, created, stencils)
        return
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(count, mp_context=ctx, initializer=_worker_init,
                             initargs=(config, as_of, created)) as pool:
        # Chunks in order: a worker meets the copies of a kind together.
        yield from pool.map(_worker_copy, jobs, chunksize=max(1, min(32, len(jobs) // (count * 4))))


def _write_copies(jobs: list[Job], config: Config, as_of: dt.date, created: dt.datetime,
                  workers: int | None) -> list[Problem | None]:
    """Make and write every copy; for each, the problem that kept it from being written, if
    any. Each file is flushed to disk before it takes its place; a few threads write, so that
    the flushes overlap."""
    for folder in {job.target.parent for job in jobs}:
        remove_stale_temporaries(folder)
    with ThreadPoolExecutor(WRITERS) as writers:
        writes = [writers.submit(_write, job.target, data)
                  for job, data in zip(jobs, _made(jobs, config, as_of, created, workers),
                                       strict=True)]
    return [done.result() for done in writes]


# --- the whole run -----------------------------------------------------------------------------

def _source(result: FileResult, root: Path) -> Path:
    path = Path(result.file)
    return path if path.is_absolute() else root / path


def copy_respondent(result: FileResult, people: dict[str, Respondent],
                specs: list[FormSpec]) -> Respondent | None:
    """Whom a copy is for, with the forms it holds: as the settings know them, or as the
    return's identity says; None when the identity cannot be trusted."""
    ident = result.identity
    rid = ident.get("respondent_id", "")
    role = ident.get("template", "")
    listed = {part.partition(":")[0] for part in ident.get("template_version", "").split()}
    forms = tuple(s for s in specs if s.id in listed or s.id in result.forms)
    known = people.get(rid)
    if known is not None:
        return Respondent(known.id, known.role, known.name, forms or known.forms,
                          known.class_name)
    if not rid or role not in ROLE_TITLES or not forms:
        return None
    return Respondent(rid, role, ident.get("respondent", ""), forms,
                      ident.get("class_name", ""))


def _reason(result: FileResult) -> str:
    first = next((p for p in result.problems if p.severity is Severity.ERROR),
                 result.problems[0] if result.problems else None)
    return first.message if first else Review.NOT_READ


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def copy_name(source: Path) -> str:
    """The file name of a copy: the return's name and «(исправить)», always .xlsx."""
    return safe_file_name(source.stem + COPY_SUFFIX)


def review(config: Config, paths: Iterable[Path] = (), out: Path | None = None,
           as_of: dt.date | None = None, created: dt.datetime | None = None,
           workers: int | None = None,
           progress: Callable[[int, int], None] | None = None) -> ReviewResult:
    """Check the returns under ``paths`` (by default the returned folder) and write a copy for
    correction of each one with problems into ``out`` (by default the review folder), and the
    sending list beside them. ``created`` is the copies' creation time (default: now).

    Raises IbcError ``review-into-returned`` when ``out`` is where returns are read from;
    a copy that cannot be written is an entry with status ``locked``, not an exception.
    """
    paths = [Path(p) for p in paths] or [config.folders["returned"]]
    out = (out or config.folders["review"]).resolve()
    if any(_inside(out, p.resolve()) for p in [config.folders["returned"], *paths]
           if p.is_dir() or p == config.folders["returned"]):
        raise IbcError(Problem("review-into-returned", file=str(out)))
    created = created or dt.datetime.now().replace(microsecond=0)
    report = check_paths(paths, config, as_of=as_of, workers=workers, progress=progress)
    specs = config.specs()
    people = {p.id: p for p in respondents(config, specs)}
    entries: list[Entry | None] = []
    jobs: list[tuple[int, Job]] = []
    names: set[str] = set()
    for result in report.files:
        ident = result.identity
        who = {"respondent": ident.get("respondent", ""),
               "class_name": ident.get("class_name", ""), "role": ident.get("template", ""),
               "errors": result.errors, "warnings": result.warnings}
        if result.status == "replaced":
            used = next(p.params["used"] for p in result.problems
                        if p.code == "workbook-replaced")
            entries.append(Entry(result.file, "replaced", reason=used, **who))
            continue
        if not result.problems:
            entries.append(Entry(result.file, "done", **who))
            continue
        respondent = None
        if not result.refused and not any(p.code == "wrong-school" for p in result.problems):
            respondent = copy_respondent(result, people, specs)
        if respondent is None:
            entries.append(Entry(result.file, "refused", reason=_reason(result), **who))
            continue
        who.update(respondent=respondent.name, class_name=respondent.class_name,
                   role=respondent.role)
        name = copy_name(_source(result, config.root))
        stem, number = Path(name).stem, 2
        while name.casefold() in names:  # two returns of one name, in different folders
            name = safe_file_name(f"{stem} {number}")
            number += 1
        names.add(name.casefold())
        entries.append(Entry(result.file, "written", copy=out / name, **who))
        jobs.append((len(entries) - 1, Job(result, respondent, out / name)))
    as_of = report.as_of
    outcomes = _write_copies([job for _, job in jobs], config, as_of, created, workers)
    for (index, _), problem in zip(jobs, outcomes, strict=True):
        if problem is not None:
            entries[index] = dataclasses.replace(entries[index], status="locked",
                                                 reason=problem.message)
    result = ReviewResult(list(entries), out, as_of)
    target = out / SENDING_LIST
    try:
        write_atomic(target, partial(_write_list, result, config, created))
        result.sending_list = target
    except IbcError as exc:
        result.list_problem = exc.problems[0]
    return result


# --- the sending list ---------------------------------------------------------------------------

LIST_COLUMNS = Review.LIST_COLUMNS


def _todo(entry: Entry) -> str:
    if entry.status == "written":
        return Review.TODO_SEND
    if entry.status == "locked":
        return Review.TODO_LOCKED.format(reason=entry.reason)
    if entry.status == "refused":
        return Review.TODO_REFUSED.format(reason=entry.reason)
    if entry.status == "replaced":
        return Review.TODO_REPLACED.format(reason=entry.reason)
    return Review.TODO_NOTHING


def _write_list(result: ReviewResult, config: Config, created: dt.datetime, file) -> None:
    buffer = io.BytesIO()
    raw = xlsxwriter.Workbook(buffer, workbook_options())
    wb = Checked(raw)
    wb.set_properties({"title": Review.LIST_PROPERTY_TITLE, "author": "ibc-xls",
                       "company": config.school, "created": created})
    base = dict(BASE)
    title = wb.add_format({**base, "bold": True, "font_size": 14})
    wrap = wb.add_format({**base, "text_wrap": True})
    link = wb.add_format({**base, "text_wrap": True, "font_color": LINK_COLOR, "underline": 1})
    ws = Checked(wb.add_worksheet(Review.LIST_SHEET))
    ws.write_string(0, 0, Review.LIST_TITLE, title)
    ws.write_string(1, 0, Review.LIST_SUBTITLE.format(school=config.school,
                                                      year=config.year_label,
                                                      as_of=result.as_of, folder=result.folder))
    rows = sorted(result.entries, key=lambda e: (
        ["written", "locked", "refused", "done", "replaced"].index(e.status), e.who, e.file))
    first = 3
    for col, (_, width) in enumerate(LIST_COLUMNS):
        ws.set_column(col, col, width)
    for i, entry in enumerate(rows, start=first + 1):
        ws.write_string(i, 0, entry.respondent or Review.NO_RESPONDENT, wrap)
        ws.write_string(i, 1, entry.class_name or ROLE_TITLES.get(entry.role, ""), wrap)
        ws.write_string(i, 2, entry.file, wrap)
        ws.write_number(i, 3, entry.errors)
        ws.write_number(i, 4, entry.warnings)
        if entry.copy is not None and entry.status == "written":
            ws.write_url(i, 5, f"external:{entry.copy.name}", link, string=entry.copy.name)
        else:
            ws.write_blank(i, 5, None, wrap)
        ws.write_string(i, 6, _todo(entry), wrap)
    last = first + max(len(rows), 1)
    ws.add_table(first, 0, last, len(LIST_COLUMNS) - 1, {
        "columns": [{"header": name} for name, _ in LIST_COLUMNS], "style": "Table Style Light 9",
        "autofilter": True})
    ws.freeze_panes(first + 1, 0)
    ws.set_paper(A4)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(first)
    raw.close()
    file.write(buffer.getvalue())
