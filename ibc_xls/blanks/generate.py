"""Spec → blank workbooks: one personalised workbook per respondent.

Every text goes through ``write_string``, so nothing from a spec or a configuration can become
a formula. Every xlsxwriter call that reports failure by its return code is checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import multiprocessing as mp
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

import xlsxwriter

from ibc_xls.blanks.stencil import Stencils
from ibc_xls.forms.identity import (
    FORMS_HEADER,
    IDENTITY_SHEET,
    Identity,
    template_version,
    write_sheet,
)
from ibc_xls.forms.layout import (
    CLASSES_LIST,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    REQUIRED_MARK,
    list_name,
)
from ibc_xls.forms.spec import SOFT_HYPHEN, Column, FormSpec, date_bound
from ibc_xls.output import remove_stale_temporaries, write_atomic
from ibc_xls.problems import IbcError, Problem
from ibc_xls.settings.config import Config
from ibc_xls.settings.respondents import Respondent, respondents
from ibc_xls.sheets.formats import FONT, FormFormats, workbook_options
from ibc_xls.sheets.measure import LINE_PT, TEXT_CHAR, bold_width, column_px, wrapped_lines
from ibc_xls.sheets.xlsx import A4_INCHES, SIDE_MARGIN, Checked, a4_page
from ibc_xls.text import Blank

MANIFEST = ".ibc-xls-generated.json"


@dataclass(frozen=True)
class Mark:
    """A cell of a copy with a problem: its severity ("error" or "warning") and the Russian
    text of its comment."""

    severity: str
    note: str


@dataclass
class Filling:
    """What a copy of a returned workbook adds to a blank: the values in their input cells,
    the marks on the cells with problems and a first sheet.

    ``values``: form id → data row (0 is the first under the header) → column key → value;
    ``marks``: form id → (data row, column key) → Mark; ``front(wb, fmt)`` adds the first
    sheet (it is called before any other sheet is added) and returns it, to be made active.
    """

    values: dict[str, dict[int, dict[str, object]]] = field(default_factory=dict)
    marks: dict[str, dict[tuple[int, str], Mark]] = field(default_factory=dict)
    front: Callable | None = None

    def rows(self, form: FormSpec) -> int:
        """How many data rows the form's sheet needs: the blank's, or more for a long return."""
        used = [*self.values.get(form.id, ()), *(r for r, _ in self.marks.get(form.id, ()))]
        return max(form.row_count, max(used, default=-1) + 1)


@dataclass(frozen=True)
class Outcome:
    """What generate did with one workbook."""

    respondent: Respondent
    path: Path
    status: str  # created | updated | unchanged | kept


def _fmt_date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def describe(column: Column, config: Config) -> str:
    """What a person may enter in a column, in Russian (instructions and input hints)."""
    if column.type == "date":
        lo, hi = (date_bound(b, config.academic_year) for b in (column.min, column.max))
        if lo and hi:
            return Blank.DATE_SPAN.format(lo=_fmt_date(lo), hi=_fmt_date(hi))
        return Blank.DATE
    if column.type in ("integer", "decimal"):
        what = Blank.INTEGER if column.type == "integer" else Blank.NUMBER
        lo = None if column.min is None else _num(column.min)
        hi = None if column.max is None else _num(column.max)
        if lo is not None and hi is not None:
            return Blank.NUMBER_BETWEEN.format(what=what, lo=lo, hi=hi)
        if lo is not None:
            return Blank.NUMBER_FROM.format(what=what, lo=lo)
        if hi is not None:
            return Blank.NUMBER_TO.format(what=what, hi=hi)
        return what
    if column.type == "choice":
        return Blank.CHOICE.format(choices="; ".join(column.choices))
    if column.type == "class":
        return Blank.CLASS
    if column.max_length:
        return Blank.TEXT_UP_TO.format(length=column.max_length)
    return Blank.TEXT


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def _pieces(word: str) -> list[str]:
    """The parts a header word may break into: at its soft hyphens, each but the last with its
    hyphen shown."""
    parts = word.split(SOFT_HYPHEN)
    return [p + "-" for p in parts[:-1]] + [parts[-1]]


def _header_words(column: Column) -> list[str]:
    # The required mark joins the last word: it never stands on a line alone.
    words = column.header.split()
    if column.required and words:
        words[-1] += REQUIRED_MARK
    return words


def _width(column: Column) -> float:
    """A column's width: as the spec gives it or worked out, and never narrower than the
    longest unbreakable part of its header, so a header breaks between words only."""
    if column.width:
        width = float(column.width)
    else:
        longest = max([len(column.title) / 2 + 2, *(len(c) + 3 for c in column.choices)])
        width = float(min(max(longest, 8), 40))
    pieces = [p for word in _header_words(column) for p in _pieces(word)]
    return max([width, *map(bold_width, pieces)])


def header_lines(column: Column, width: float) -> list[str]:
    """The header's lines for a column ``width`` wide: words wrapped at spaces, a word too long
    for a line broken at its soft hyphens. Written with line breaks, so that no spreadsheet
    application breaks a word where it likes."""
    lines: list[str] = []
    line = ""
    for word in _header_words(column):
        whole = word.replace(SOFT_HYPHEN, "")
        parts = [whole] if bold_width(whole) <= width else _pieces(word)
        for i, part in enumerate(parts):
            joined = f"{line} {part}" if line and i == 0 else line + part
            if line and bold_width(joined) > width:
                lines.append(line)
                line = part
            else:
                line = joined
    return [*lines, line] if line else lines


def fit_scale(widths, landscape: bool) -> float:
    """The print scale of a sheet fitted to an A4 page's width, as Excel works it out: a
    column is ``column_px(width)`` pixels of 1/96 inch. The templates keep it high
    enough that 11-point text prints at 8 points or more."""
    pixels = sum(map(column_px, widths))
    page = (A4_INCHES[landscape] - 2 * SIDE_MARGIN) * 96
    return min(1.0, page / pixels)


# LibreOffice measures the column unit on Liberation Sans 10 (7.4 px a digit, Excel 7 px): its
# sheet is 6 % wider. Fitting to the page width it also shrinks a long sheet further, so the
# blanks print at a fixed scale that fits the width in both.
LIBREOFFICE_ROOM = 0.93


def print_scale(widths, landscape: bool) -> int:
    """The print scale, in per cent, a blank's sheet is set to."""
    return int(fit_scale(widths, landscape) * LIBREOFFICE_ROOM * 100)


def form_widths(form: FormSpec) -> list[float]:
    return [_width(c) for c in form.columns]


def _lines(text: str, width: float) -> int:
    return wrapped_lines(text, width, 1 / TEXT_CHAR)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validation(column: Column, form: FormSpec, config: Config) -> dict:
    what = describe(column, config)
    hint = what[:1].upper() + what[1:] + "."
    if column.hint:
        hint = f"{column.hint} {hint}" if column.type not in ("choice", "class") else column.hint
    message = {
        "input_title": _truncate(column.title, 32),
        "input_message": _truncate(Blank.REQUIRED_HINT.format(hint=hint) if column.required
                                   else hint, 255),
        "error_title": _truncate(column.title, 32),
        "error_message": _truncate(
            Blank.INPUT_ERROR.format(what=describe(column, config)), 255),
        "error_type": "stop",
    }
    if column.type in ("choice", "class"):
        name = CLASSES_LIST if column.type == "class" else list_name(form.id, column.key)
        return {**message, "validate": "list", "source": f"={name}",
                "error_message": Blank.PICK_FROM_LIST}
    if column.type == "date":
        lo = date_bound(column.min, config.academic_year) or dt.date(1900, 1, 1)
        hi = date_bound(column.max, config.academic_year) or dt.date(9999, 12, 31)
        lo_dt, hi_dt = (dt.datetime.combine(d, dt.time()) for d in (lo, hi))
        return {**message, "validate": "date", "criteria": "between", "minimum": lo_dt,
                "maximum": hi_dt}
    if column.type in ("integer", "decimal"):
        lo = column.min if column.min is not None else -1e9
        hi = column.max if column.max is not None else 1e9
        return {**message, "criteria": "between", "minimum": lo, "maximum": hi,
                "validate": "integer" if column.type == "integer" else "decimal"}
    if column.max_length:
        return {**message, "validate": "length", "criteria": "<=", "value": column.max_length}
    return {**message, "validate": "any"}


def _lists_sheet(wb, fmt, forms, config: Config) -> None:
    ws = Checked(wb.add_worksheet(LISTS_SHEET))
    lists = [(CLASSES_LIST, Blank.CLASSES_LIST, [c.name for c in config.classes])]
    for form in forms:
        lists += [(list_name(form.id, c.key),
                   Blank.CHOICES_LIST.format(title=c.title, sheet=form.sheet), list(c.choices))
                  for c in form.columns if c.type == "choice"]
    for col, (name, title, values) in enumerate(lists):
        ws.write_string(0, col, title, fmt.bold)
        for row, value in enumerate(values, start=1):
            ws.write_string(row, col, value)
        ws.set_column(col, col, 30)
        last = max(len(values), 1) + 1
        letter = xlsxwriter.utility.xl_col_to_name(col)
        wb.define_name(name, f"='{LISTS_SHEET}'!${letter}$2:${letter}${last}")
    ws.hide()
    ws.protect()


def _identity_sheet(wb, fmt, identity: Identity, forms) -> None:
    ws = Checked(wb.add_worksheet(IDENTITY_SHEET))
    write_sheet(wb, ws, identity.rows(), FORMS_HEADER,
                [(form.id, form.version, form.sheet) for form in forms], fmt.bold)


def _footer(config: Config) -> str:
    school = config.school.replace("&", "&&")
    # 11 points: the footer shrinks with the page's print scale in LibreOffice.
    return Blank.FOOTER.format(school=school, year=config.year_label)


def write_value(ws, row: int, col: int, value: object, style) -> None:
    """A value of a copy as the blank's cell would hold it when typed: a date as a date, a
    number as a number, anything else as text (never a formula, even if it starts with
    «=»)."""
    if value is None or value == "":
        ws.write_blank(row, col, None, style)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, style)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), style)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, style)
    elif isinstance(value, int | float) and math.isfinite(value):
        ws.write_number(row, col, value, style)
    else:
        ws.write_string(row, col, shown(value), style)


def shown(value: object) -> str:
    """A value that is neither text, number nor date, as a copy's cell shows it."""
    if isinstance(value, float):
        return str(value)
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


def comment_options(note: str) -> dict:
    """A cell comment's options: wide enough for a message and tall enough for all of it
    (about 45 letters of Arial 10 to a line of 300 px), so that it reads without resizing."""
    lines = sum(max(1, math.ceil(len(part) / 45)) for part in note.split("\n"))
    return {"author": "ibc-xls", "font_name": FONT, "font_size": 10, "x_scale": 2.4,
            "y_scale": max(1.0, (16 * lines + 12) / 74)}


def respondent_defaults(respondent: Respondent) -> dict[str, str]:
    """What a column's ``default`` fills in for a respondent."""
    return {"respondent_class": respondent.class_name, "respondent_name": respondent.name}


class DataCell(NamedTuple):
    """A cell of a form's data row: how it is written ("string": text as it is, "value": by
    its type, see ``write_value``; "blank"), its style (the column's type or "prefilled",
    and the severity of its mark or None) and its mark. A tuple: a copy makes thousands."""

    col: int
    how: str
    value: object
    style: tuple[str, str | None]
    mark: Mark | None = None


def data_row(form: FormSpec, widths: list[float], i: int, defaults: dict[str, str],
             typed: dict[str, object] | None,
             marks: dict[tuple[int, str], Mark]) -> tuple[list[DataCell], int]:
    """Data row ``i`` (0 is the first) of a form's sheet: its cells and the lines it wraps
    to. ``typed``: a copy's values of the row (None in a blank); ``marks``: the copy's."""
    fixed = form.fixed_rows[i] if form.rows == "fixed" and i < len(form.fixed_rows) else {}
    cells = []
    lines = 1
    for col, (column, width) in enumerate(zip(form.columns, widths, strict=True)):
        mark = marks.get((i, column.key)) if marks else None
        severity = mark.severity if mark else None
        if column.prefilled:
            text = fixed.get(column.key, "")
            cells.append(DataCell(col, "string", text, ("prefilled", severity), mark))
            lines = max(lines, _lines(text, width))
        elif typed is not None:
            value = typed.get(column.key)
            cells.append(DataCell(col, "value", value, (column.type, severity), mark))
            if isinstance(value, str):
                lines = max(lines, min(_lines(value, width), 6))
        else:
            value = defaults.get(column.default or "", "")
            cells.append(DataCell(col, "string" if value else "blank", value,
                                  (column.type, severity), mark))
    return cells, lines


def _form_sheet(wb, fmt, form: FormSpec, respondent: Respondent, config: Config,
                filling: Filling | None = None) -> None:
    ws = Checked(wb.add_worksheet(form.sheet))
    ws.write_string(0, 0, form.title, fmt.title)
    ws.write_string(1, 0, Blank.FORM_SUBTITLE.format(school=config.school,
                                                     year=config.year_label,
                                                     respondent=respondent.label), fmt.subtitle)
    note = Blank.FORM_NOTE
    widths = form_widths(form)
    # The description spans the form's columns and wraps, so the print never cuts it off.
    description = f"{form.description} {note}".strip()
    if len(form.columns) > 1:
        ws.merge_range(2, 0, 2, len(form.columns) - 1, "", fmt.subtitle_wrap)
    ws.write_string(2, 0, description, fmt.subtitle_wrap)
    ws.set_row(2, LINE_PT * _lines(description, sum(widths)))
    most = 2
    for col, (column, width) in enumerate(zip(form.columns, widths, strict=True)):
        ws.set_column(col, col, width)
        lines = header_lines(column, width)
        most = max(most, len(lines))
        ws.write_string(HEADER_ROW, col, "\n".join(lines), fmt.header)
    ws.set_row(HEADER_ROW, LINE_PT * most)
    defaults = respondent_defaults(respondent)
    count = filling.rows(form) if filling else form.row_count
    values = filling.values.get(form.id, {}) if filling else {}
    marks = filling.marks.get(form.id, {}) if filling else {}
    last_row = FIRST_DATA_ROW + count - 1
    for i in range(count):
        row = FIRST_DATA_ROW + i
        cells, lines = data_row(form, widths, i, defaults, values.get(i), marks)
        for cell in cells:
            style = fmt.style(*cell.style)
            if cell.how == "string":
                ws.write_string(row, cell.col, cell.value, style)
            elif cell.how == "value":
                write_value(ws, row, cell.col, cell.value, style)
            else:
                ws.write_blank(row, cell.col, None, style)
            if cell.mark:
                ws.write_comment(row, cell.col, cell.mark.note,
                                 comment_options(cell.mark.note))
        if lines > 1:
            ws.set_row(row, LINE_PT * lines)
    for col, column in enumerate(form.columns):
        if column.is_input:
            ws.data_validation(FIRST_DATA_ROW, col, last_row, col,
                               _validation(column, form, config))
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    a4_page(ws, form.orientation == "landscape")
    ws.repeat_rows(HEADER_ROW)
    ws.set_print_scale(print_scale(widths, form.orientation == "landscape"))
    ws.print_area(0, 0, last_row, len(form.columns) - 1)
    ws.set_footer(_footer(config), {"scale_with_doc": False})
    free = form.rows == "free"
    ws.protect("", {"format_columns": True, "format_rows": True, "insert_rows": free,
                    "delete_rows": free, "sort": free})


# Narrow enough for a portrait page at 90 % (see fit_scale).
INSTRUCTION_WIDTHS = (24, 16, 34, 34)


def layout(respondent: Respondent) -> int:
    """What of a respondent's own texts sets a size in their blank: the lines «Кто
    заполняет» wraps to (see ``ibc_xls.blanks.stencil``)."""
    return _lines(Blank.WHO_FILLS.format(respondent=respondent.label), sum(INSTRUCTION_WIDTHS))


def _instructions_sheet(wb, fmt, respondent: Respondent, config: Config,
                        measured: Respondent | None = None) -> None:
    ws = Checked(wb.add_worksheet(INSTRUCTIONS_SHEET))
    widths = INSTRUCTION_WIDTHS
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    row = 0

    def line(text: str, style, lines: int | None = None) -> None:
        # A paragraph spans the four columns; the text itself goes in by write_string.
        nonlocal row
        ws.merge_range(row, 0, row, len(widths) - 1, "", style)
        ws.write_string(row, 0, text, style)
        lines = lines or _lines(text, sum(widths))
        ws.set_row(row, LINE_PT * lines + (4 if style is fmt.title else 0))
        row += 1

    line(Blank.TITLE, fmt.title)
    line(Blank.SCHOOL_YEAR.format(school=config.school, year=config.year_label), fmt.bold)
    line(Blank.WHO_FILLS.format(respondent=respondent.label), fmt.bold,
         layout(measured or respondent))
    row += 1
    fields = {"example": dt.date(config.academic_year, 9, 15),
              "return_to": config.return_to or Blank.RETURN_TO}
    line(Blank.HOW_TO_FILL, fmt.bold)
    for i, step in enumerate(Blank.STEPS, start=1):
        line(Blank.STEP.format(number=i, step=step.format(**fields)), fmt.wrap)
    row += 1
    for form in respondent.forms:
        line(Blank.SHEET.format(sheet=form.sheet, title=form.title), fmt.bold)
        if form.description:
            line(form.description, fmt.wrap)
        for col, text in enumerate(Blank.COLUMNS_HEADER):
            ws.write_string(row, col, text, fmt.table_header)
        row += 1
        for column in form.input_columns:
            cells = (column.title, Blank.YES if column.required else "", describe(column, config),
                     column.hint)
            for col, text in enumerate(cells):
                ws.write_string(row, col, text, fmt.table)
            ws.set_row(row, LINE_PT * max(_lines(t, w) for t, w in zip(cells, widths, strict=True)))
            row += 1
        row += 1
    a4_page(ws, landscape=False)
    ws.set_print_scale(print_scale(widths, False))
    ws.print_area(0, 0, max(row - 1, 0), len(widths) - 1)
    ws.set_footer(_footer(config), {"scale_with_doc": False})
    ws.protect()
    ws.activate()


def build(respondent: Respondent, config: Config, created: dt.datetime,
          filling: Filling | None = None, measured: Respondent | None = None) -> bytes:
    """The workbook of one respondent, as the bytes of an .xlsx file; with ``filling``, a copy
    of their returned workbook: the blank with their values in place and the problems marked
    (see ``ibc_xls.review.copies``). ``measured``: the respondent whose texts set the row
    heights, when ``respondent`` is a stencil's stand-in (``ibc_xls.blanks.stencil``)."""
    buffer = io.BytesIO()
    identity = Identity(
        template=respondent.role, template_version=template_version(respondent.forms),
        respondent_id=respondent.id, respondent=respondent.name,
        class_name=respondent.class_name, school=config.school,
        academic_year=config.year_label)
    raw = xlsxwriter.Workbook(buffer, workbook_options())
    wb = Checked(raw)
    fmt = FormFormats(raw, marked=filling is not None)
    wb.set_properties({
        "title": Blank.PROPERTY_TITLE.format(respondent=respondent.label),
        "subject": config.year_label,
        "author": "ibc-xls", "company": config.school, "created": created,
        "comments": Blank.PROPERTY_COMMENTS,
    })
    for name, value in identity.properties().items():
        wb.set_custom_property(name, value, "text")
    front = filling.front(wb, fmt) if filling and filling.front else None
    _instructions_sheet(wb, fmt, respondent, config, measured)
    for form in respondent.forms:
        _form_sheet(wb, fmt, form, respondent, config, filling)
    _lists_sheet(wb, fmt, respondent.forms, config)
    _identity_sheet(wb, fmt, identity, respondent.forms)
    if front is not None:
        front.activate()
    raw.close()
    return buffer.getvalue()


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def safe_file_name(stem: str, suffix: str = ".xlsx") -> str:
    """A file name that is valid on Windows and cannot leave its folder: no separators, no
    ``..``, no reserved device names; Cyrillic is kept."""
    text = _UNSAFE.sub("_", stem)
    text = re.sub(r"\.{2,}", ".", text)
    text = " ".join(text.split()).strip(" .")
    if not text or _RESERVED.match(text):
        text = f"_{text}"
    return text[:120].rstrip(" .") + suffix


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put(data: bytes, file) -> None:
    file.write(data)


# From this many workbooks on, they are built in worker processes, one per core. A
# respondent's workbook takes 3–5 ms from the stencil of their kind (xlsxwriter takes about
# 30 ms for each kind's); starting the workers takes 0.5–1 s, more than they save for a
# school's few hundred respondents (bench_generate.py: 298 a run, one process was faster).
PARALLEL_FROM = 1000


def stencils(config: Config, created: dt.datetime) -> Stencils:
    """The stencils of one run: each kind of respondent's workbook built once."""
    def whole(person: Respondent, measured: Respondent | None) -> bytes:
        return build(person, config, created, measured=measured)

    return Stencils(whole)


def blank(person: Respondent, made: Stencils) -> bytes:
    """A respondent's blank, from the stencil of their kind; as ``build`` writes it but for
    the order of the shared strings (see ``ibc_xls.blanks.stencil``)."""
    return made.blank(person, layout(person))


# Threads that write the files (see ``generate``).
WRITERS = 4

_worker_stencils: Stencils | None = None


def _worker_init(config: Config, created: dt.datetime) -> None:
    global _worker_stencils
    _worker_stencils = stencils(config, created)


def _worker_blank(person: Respondent) -> bytes:
    return blank(person, _worker_stencils)


def _built(people: list[Respondent], config: Config, created: dt.datetime,
           workers: int | None) -> Iterator[bytes]:
    """Each respondent's workbook, in order. ``workers``: processes to build them in (None:
    one per core when there are ``PARALLEL_FROM`` or more; 1: in this process)."""
    count = workers or (os.cpu_count() or 1 if len(people) >= PARALLEL_FROM else 1)
    if count < 2 or len(people) < 2:
        made = stencils(config, created)
        for person in people:
            yield blank(person, made)
        return
    methods = mp.get_all_start_methods()
    context = mp.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(min(count, len(people)), mp_context=context,
                             initializer=_worker_init, initargs=(config, created)) as pool:
        # Chunks in order: a worker meets the respondents of a kind together.
        yield from pool.map(_worker_blank, people,
                            chunksize=max(1, min(64, len(people) // (4 * count))))


def generate(config: Config, out: Path | None = None,
             workers: int | None = None) -> list[Outcome]:
    """Write every respondent's workbook into ``out`` (default: the outgoing folder).

    The same inputs give the same bytes (the creation date is pinned to the start of the
    academic year). A file that generate did not write itself, or that changed since, is kept
    as it is: it may be a workbook someone has already filled in. ``workers``: see
    ``_built``; a script that generates many workbooks needs the usual
    ``if __name__ == "__main__":`` guard.
    """
    specs = config.specs()
    people = respondents(config, specs)
    out = (out or config.folders["outgoing"]).resolve()
    if out == config.folders["returned"]:
        raise IbcError(Problem("generate-into-returned", file=str(out)))
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        manifest = {}
    created = dt.datetime(config.academic_year, 9, 1)
    names: set[str] = set()
    outcomes = []
    remove_stale_temporaries(out)
    # Each file is flushed to disk before it replaces the old one; the flushes of a few files
    # at a time overlap (they release the GIL), which matters once a blank takes milliseconds.
    with ThreadPoolExecutor(WRITERS) as writers:
        writes = [writers.submit(write_atomic, path, partial(_put, data), sweep=False)
                  for path, data in _decided(people, config, created, workers, out, manifest,
                                             names, outcomes)]
    for done in writes:
        done.result()  # the first failure, as if the files had been written one by one
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    write_atomic(manifest_path, partial(_put, text.encode("utf-8")))
    return outcomes


def _decided(people: list[Respondent], config: Config, created: dt.datetime,
             workers: int | None, out: Path, manifest: dict, names: set[str],
             outcomes: list[Outcome]) -> Iterator[tuple[Path, bytes]]:
    """Each workbook to write: (its path, its bytes); the outcomes and the manifest are
    updated as each is decided."""
    for person, data in zip(people, _built(people, config, created, workers), strict=True):
        name = safe_file_name(person.file_stem)
        while name.casefold() in names:
            name = safe_file_name(f"{Path(name).stem} ({person.id})")
        names.add(name.casefold())
        path = out / name
        if path.resolve().parent != out:
            raise IbcError(Problem("generate-unsafe-name", file=name))
        status = "created"
        if path.exists():
            existing = _sha256(path.read_bytes())
            if existing == _sha256(data):
                status = "unchanged"
            elif manifest.get(name) != existing:
                outcomes.append(Outcome(person, path, "kept"))
                continue
            else:
                status = "updated"
        if status != "unchanged":
            yield path, data
        manifest[name] = _sha256(data)
        outcomes.append(Outcome(person, path, status))
