"""A raw workbook → the forms it holds: its identity, each form's sheet, columns located by
their header text, and the rows staff filled, every value with its true cell.

Nothing here judges values; it only finds them. Layout problems (a missing sheet, column or
header) are reported here because without them the values cannot be found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ibc_xls.cells import a1
from ibc_xls.forms import identity
from ibc_xls.forms.identity import IDENTITY_SHEET, cell_text, cell_value
from ibc_xls.forms.layout import HEADER_ROW, header_key
from ibc_xls.forms.spec import FormSpec
from ibc_xls.normalize import is_empty
from ibc_xls.problems import Problem

HEADER_SEARCH_ROWS = HEADER_ROW + 12  # a few rows inserted above the table still read


@dataclass
class RowRead:
    """One filled row: its zero-based row and each located column's value by key."""

    row: int
    values: dict[str, object]


@dataclass
class FormRead:
    form: FormSpec
    sheet: str
    columns: dict[str, int]  # key → zero-based column
    rows: list[RowRead]
    formulas: frozenset = frozenset()
    errors: dict = field(default_factory=dict)  # (row, col) → error value text, e.g. "#N/A"


@dataclass
class WorkbookRead:
    """What a returned workbook holds, before its values are judged."""

    file: str
    format: str
    identity: dict[str, str]
    forms: list[FormRead] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_identity(raw) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """The identity fields and the forms table (id → (version, sheet)) of a raw workbook."""
    found, forms, _ = identity.read(raw)
    return found, forms


def _find_sheet(raw, wanted: str):
    if wanted in raw.sheets:
        return raw.sheets[wanted]
    key = header_key(wanted)
    return next((s for name, s in raw.sheets.items() if header_key(name) == key), None)


def _locate_header(sheet, form: FormSpec) -> tuple[int, dict[str, int], list[tuple[int, str]]]:
    """The header row, the column of each key found, and extra non-empty header cells."""
    titles = {header_key(c.title): c.key for c in form.columns}
    best_row, best = -1, {}
    top = sheet.origin[0]
    for r in range(top, min(top + len(sheet.rows), HEADER_SEARCH_ROWS + 1)):
        found: dict[str, int] = {}
        row = sheet.rows[r - top]
        for i, value in enumerate(row):
            key = titles.get(header_key(value)) if value else None
            if key and key not in found:
                found[key] = sheet.origin[1] + i
        if len(found) > len(best):
            best_row, best = r, found
            if len(found) == len(titles):
                break  # no row below can match better, and data rows are many
    if best_row < 0:
        return -1, {}, []
    row = sheet.rows[best_row - top]
    used = set(best.values())
    extras = [(sheet.origin[1] + i, cell_text(v)) for i, v in enumerate(row)
              if sheet.origin[1] + i not in used and not is_empty(v)]
    return best_row, best, extras


def _cleared_headers(sheet, form: FormSpec, header: int,
                     columns: dict[str, int]) -> list[tuple[str, int]]:
    """The columns whose header cell was cleared, found where the blank put them: between the
    columns found on either side of them, at the same distance as in the blank."""
    keys = [c.key for c in form.columns]
    found = []
    for index, key in enumerate(keys):
        if key in columns:
            continue
        left = next((i for i in range(index - 1, -1, -1) if keys[i] in columns), None)
        right = next((i for i in range(index + 1, len(keys)) if keys[i] in columns), None)
        if left is not None:
            col = columns[keys[left]] + index - left
        elif right is not None:
            col = columns[keys[right]] - (right - index)
        else:
            continue
        if col < 0 or (right is not None and col >= columns[keys[right]]) or \
                (left is not None and col <= columns[keys[left]]):
            continue
        if is_empty(cell_value(sheet, header, col)) and col not in columns.values():
            found.append((key, col))
    return found


def _unnamed_data(sheet, header: int, named: set[int]) -> list[tuple[int, str]]:
    """Columns with data below an empty header cell, each with its first such cell: their data
    cannot be told apart, and must not be dropped unseen."""
    top, left = sheet.origin
    width = len(sheet.rows[0]) if sheet.rows else 0  # rows are rectangular
    unnamed = [i for i in range(width) if left + i not in named]
    result = []
    for i in unnamed:
        for r in range(header + 1 - top, len(sheet.rows)):
            row = sheet.rows[r]
            if i < len(row) and row[i] != "" and not is_empty(row[i]):
                result.append((left + i, a1(top + r, left + i)))
                break
    return result


def read_form(raw, file: str, form: FormSpec, sheet_name: str, problems: list) -> FormRead | None:
    """Locate one form in its sheet; append layout problems to ``problems``."""
    sheet = _find_sheet(raw, sheet_name or form.sheet)
    if sheet is None:
        problems.append(Problem("missing-sheet", file=file, sheet=form.sheet,
                                params={"expected": form.sheet}))
        return None
    header, columns, extras = _locate_header(sheet, form)
    if header < 0:
        problems.append(Problem("missing-header", file=file, sheet=sheet.name))
        return None
    for col, text in extras:
        problems.append(Problem("extra-column", file=file, sheet=sheet.name, row=header, col=col,
                                value=text))
    for key, col in _cleared_headers(sheet, form, header, columns):
        columns[key] = col
        problems.append(Problem("header-cleared", file=file, sheet=sheet.name,
                                row=header, col=col, field=key,
                                params={"title": form.column(key).title}))
    for col, first in _unnamed_data(sheet, header, {*columns.values(), *(c for c, _ in extras)}):
        problems.append(Problem("unnamed-column", file=file, sheet=sheet.name,
                                row=header, col=col, params={"first": first}))
    for column in form.columns:
        if column.key not in columns and (column.required or column.prefilled):
            problems.append(Problem("missing-column", file=file, sheet=sheet.name,
                                    field=column.key, params={"title": column.title}))
    if any(c.key not in columns and (c.required or c.prefilled) for c in form.columns):
        return None
    # Rows where only template-filled defaults stand are untouched rows of a free form.
    counted = [c.key for c in form.columns if c.key in columns and not c.default]
    if form.rows == "fixed":
        counted = list(columns)
    rows = []
    top, left = sheet.origin
    index = [(key, col - left) for key, col in columns.items()]
    counted_at = [col - left for key, col in columns.items() if key in counted]
    for r, cells in enumerate(sheet.rows[header + 1 - top:], start=header + 1):
        width = len(cells)
        if cells.count("") == width:
            continue  # the blank rows a template offers are most rows
        if any(cells[i] != "" and not is_empty(cells[i]) for i in counted_at if i < width):
            rows.append(RowRead(r, {key: cells[i] if i < width else "" for key, i in index}))
    return FormRead(form, sheet.name, columns, rows, frozenset(sheet.formulas), sheet.errors)


def read_workbook(raw, specs: dict[str, FormSpec], file: str | None = None) -> WorkbookRead:
    """Find every form a raw workbook says it holds. ``specs`` maps form id → spec."""
    file = file or str(Path(raw.path))
    found, forms, conflicts = identity.read(raw)
    result = WorkbookRead(file, raw.format, found)
    if not found.get("template") or not forms:
        result.problems.append(Problem("not-ibc-workbook", file=file))
        return result
    result.problems += [Problem("identity-mismatch", file=file, sheet=IDENTITY_SHEET,
                                params=c.params()) for c in conflicts]
    for form_id, (version, sheet_name) in forms.items():
        spec = specs.get(form_id)
        if spec is None:
            result.problems.append(Problem("template-unknown-form", file=file,
                                           params={"form": form_id}))
            continue
        if _version(version) != spec.version:
            result.problems.append(Problem(
                "template-version", file=file, sheet=spec.sheet, value=version,
                params={"form": spec.sheet, "found": version or "?",
                        "expected": spec.version}))
            continue
        found = read_form(raw, file, spec, sheet_name, result.problems)
        if found is not None:
            result.forms.append(found)
    return result


def _version(text: str) -> int | None:
    """Versions compare loosely: a spreadsheet application may turn ``1`` into ``1.0``."""
    try:
        number = float(str(text).strip().replace(",", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None
