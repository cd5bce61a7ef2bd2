"""LibreOffice round trips: what a generated workbook keeps when LibreOffice Calc saves it.

Every generated workbook is converted by a real ``soffice --headless`` once to xlsx and once to
ods (one LibreOffice start each); a few of the ods files go back to xlsx. The checks then read
the converted files and compare them with the form specs and the school's configuration: list,
date and number validations, the hidden lists and identity sheets, cell and sheet protection,
the identity, the prefilled texts and the headers that ``collect`` matches columns on.

Each test walks every workbook and sheet, gathers every problem (each naming its workbook and
sheet) and fails once with all of them.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from fill import one_line
from libreoffice import ODS, XLS, XLSX, convert, needs_libreoffice
from openpyxl.utils import get_column_letter, range_boundaries

from ibc_xls.blanks.generate import Outcome
from ibc_xls.forms.identity import IDENTITY_SHEET, Identity, template_version
from ibc_xls.forms.layout import (
    CLASSES_LIST,
    FIRST_DATA_ROW,
    HEADER_ROW,
    LISTS_SHEET,
    header_text,
    list_name,
)
from ibc_xls.forms.spec import Column, FormSpec, date_bound
from ibc_xls.settings.config import Config
from ibc_xls.settings.respondents import Respondent

pytestmark = needs_libreoffice

HIDDEN = ("hidden", "veryHidden")


# --- what the spec and the configuration say a workbook holds ---------------------------------

def data_rows(form: FormSpec) -> range:
    """The 1-based rows of a form's data (input) rows."""
    return range(FIRST_DATA_ROW + 1, FIRST_DATA_ROW + form.row_count + 1)


def list_source(form: FormSpec, column: Column, config: Config) -> tuple[str, list[str]]:
    """The defined name a choice or class column's list validation refers to, and its values."""
    if column.type == "class":
        return CLASSES_LIST, [c.name for c in config.classes]
    return list_name(form.id, column.key), list(column.choices)


def expected_identity(respondent: Respondent, config: Config) -> Identity:
    return Identity(
        template=respondent.role, template_version=template_version(respondent.forms),
        respondent_id=respondent.id, respondent=respondent.name,
        class_name=respondent.class_name, school=config.school,
        academic_year=config.year_label)


def serial(day: dt.date) -> int:
    """A date as a spreadsheet serial number (1900 date system)."""
    return (day - dt.date(1899, 12, 30)).days


def as_text(value) -> str:
    """An identity value as text: LibreOffice may drop an empty string or retype a value."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def same_number(text, expected) -> bool:
    try:
        return float(text) == float(expected)
    except (TypeError, ValueError):
        return False


def fail_on(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:60])


# --- the round trips -------------------------------------------------------------------------

@dataclass(frozen=True)
class Book:
    """One generated workbook and what LibreOffice made of it."""

    outcome: Outcome
    source: Path  # a copy of the generated xlsx
    xlsx: Path  # generated xlsx → LibreOffice → xlsx
    ods: Path  # generated xlsx → LibreOffice → ods

    @property
    def name(self) -> str:
        return self.outcome.path.name

    @property
    def respondent(self) -> Respondent:
        return self.outcome.respondent


@pytest.fixture(scope="module")
def roundtrip(generated_once, tmp_path_factory) -> tuple[Config, list[Book]]:
    """Every generated workbook, copied aside and converted with one LibreOffice run to xlsx
    and one to ods."""
    config, outcomes = generated_once
    assert outcomes, "generate made no workbook"
    folder = tmp_path_factory.mktemp("libreoffice")
    sources = folder / "generated"
    sources.mkdir()
    copies = [Path(shutil.copy2(o.path, sources / o.path.name)) for o in outcomes]
    xlsx = convert(copies, XLSX, folder / "xlsx")
    ods = convert(copies, ODS, folder / "ods")
    return config, [Book(*four) for four in zip(outcomes, copies, xlsx, ods, strict=True)]


@pytest.fixture(scope="module")
def xlsx_books(roundtrip) -> tuple[Config, list[tuple[Book, openpyxl.Workbook]]]:
    config, books = roundtrip
    return config, [(book, openpyxl.load_workbook(book.xlsx)) for book in books]


@pytest.fixture(scope="module")
def ods_books(roundtrip) -> tuple[Config, list[tuple[Book, Ods]]]:
    config, books = roundtrip
    return config, [(book, read_ods(book.ods)) for book in books]


@pytest.fixture(scope="module")
def back_to_xlsx(roundtrip, tmp_path_factory) -> tuple[Config, list[tuple[Book, Path]]]:
    """The ods of one workbook per role, converted back to xlsx with one LibreOffice run:
    the full path Excel → LibreOffice → ods → LibreOffice → xlsx. One workbook per role covers
    every form and keeps the run short."""
    config, books = roundtrip
    chosen: dict[str, Book] = {}
    for book in books:
        chosen.setdefault(book.respondent.role, book)
    back = convert([b.ods for b in chosen.values()], XLSX, tmp_path_factory.mktemp("ods-xlsx"))
    return config, list(zip(chosen.values(), back, strict=True))


# --- checks on an xlsx, read with openpyxl ---------------------------------------------------

def validations_by_cell(ws) -> dict[tuple[int, int], list]:
    """(row, column) → the data validations covering that cell."""
    found = defaultdict(list)
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for cell in rng.cells:
                found[cell].append(dv)
    return found


def column_validation(where: str, ws, form: FormSpec, col: int, problems: list[str]):
    """The one validation every data row of column ``col`` has, or None (and a problem)."""
    by_cell = validations_by_cell(ws)
    letter = get_column_letter(col)
    per_row = {row: by_cell.get((row, col), []) for row in data_rows(form)}
    uncovered = [f"{letter}{row}" for row, dvs in per_row.items() if len(dvs) != 1]
    if uncovered:
        problems.append(f"{where}: column {letter} ({form.columns[col - 1].key}): cells "
                        f"{uncovered[:3]}… have no single validation")
        return None
    distinct = {id(dvs[0]): dvs[0] for dvs in per_row.values()}
    if len(distinct) != 1:
        problems.append(f"{where}: column {letter}: data rows have {len(distinct)} "
                        f"different validations")
        return None
    return next(iter(distinct.values()))


def list_values(wb, name: str) -> tuple[str | None, list]:
    """The sheet a workbook-level defined name points at and the values in its range."""
    defined = wb.defined_names.get(name)
    if defined is None:
        return None, []
    destinations = list(defined.destinations)
    if len(destinations) != 1:
        return f"{len(destinations)} ranges", []
    sheet, ref = destinations[0]
    if sheet not in wb.sheetnames:
        return sheet, []
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    cells = wb[sheet].iter_rows(min_row=min_row, max_row=max_row, min_col=min_col,
                                max_col=max_col, values_only=True)
    return sheet, [value for row in cells for value in row]


def xlsx_list_problems(where: str, wb, form: FormSpec, config: Config) -> tuple[list[str], int]:
    """Every choice/class column: a list validation on a defined name that still points at
    the hidden lists sheet and holds the expected values. Returns (problems, columns checked)."""
    problems: list[str] = []
    checked = 0
    ws = wb[form.sheet]
    for col, column in enumerate(form.columns, start=1):
        if column.type not in ("choice", "class"):
            continue
        checked += 1
        dv = column_validation(where, ws, form, col, problems)
        if dv is None:
            continue
        name, values = list_source(form, column, config)
        what = f"{where}: column {column.key}"
        if dv.type != "list":
            problems.append(f"{what}: validation type {dv.type!r}, expected 'list'")
            continue
        if (dv.formula1 or "").lstrip("=") != name:
            problems.append(f"{what}: list source {dv.formula1!r}, expected {name!r}")
            continue
        if dv.showDropDown:
            problems.append(f"{what}: the drop-down arrow is switched off")
        sheet, found = list_values(wb, name)
        if sheet != LISTS_SHEET:
            problems.append(f"{what}: defined name {name} points at {sheet!r}, "
                            f"expected sheet {LISTS_SHEET!r}")
        elif found != values:
            problems.append(f"{what}: list {name} holds {found}, expected {values}")
    return problems, checked


def xlsx_bound_problems(what: str, dv, lower, upper) -> list[str]:
    problems = []
    if dv.operator not in (None, "between"):
        problems.append(f"{what}: operator {dv.operator!r}, expected between")
    if lower is not None and not same_number(dv.formula1, lower):
        problems.append(f"{what}: minimum {dv.formula1!r}, expected {lower}")
    if upper is not None and not same_number(dv.formula2, upper):
        problems.append(f"{what}: maximum {dv.formula2!r}, expected {upper}")
    return problems


def date_bounds(column: Column, config: Config) -> tuple[int | None, int | None]:
    lo, hi = (date_bound(b, config.academic_year) for b in (column.min, column.max))
    return (serial(lo) if lo else None), (serial(hi) if hi else None)


def xlsx_locked(ws, row: int, col: int) -> bool:
    """Whether a cell is locked; a cell that was never written has the default, locked."""
    return ws.cell(row, col).protection.locked is not False


def identity_rows_problems(where: str, found: list[tuple], identity: Identity) -> list[str]:
    """The identity sheet's rows (field, label, value) against the expected identity."""
    problems = []
    for i, expected in enumerate(identity.rows()):
        got = tuple(as_text(v) for v in found[i]) if i < len(found) else None
        if got != expected:
            problems.append(f"{where}: identity row {i + 2} is {got}, expected {expected}")
    return problems


def xlsx_identity_problems(where: str, wb, identity: Identity) -> list[str]:
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    problems = []
    for name, value in identity.properties().items():
        if name not in props:
            problems.append(f"{where}: custom property {name} is missing")
        elif as_text(props[name]) != value:
            problems.append(f"{where}: custom property {name} is {props[name]!r}, "
                            f"expected {value!r}")
    return problems


def form_sheets(books):
    """(workbook, form, 'workbook / sheet') for every form sheet of every workbook."""
    for book, doc in books:
        for form in book.respondent.forms:
            yield book, doc, form, f"{book.name} / {form.sheet}"


# --- tests after the xlsx round trip -------------------------------------------------------

def test_xlsx_keeps_every_form_sheet_in_order(xlsx_books):
    _, books = xlsx_books
    problems = []
    for book, wb in books:
        expected = [form.sheet for form in book.respondent.forms]
        found = [name for name in wb.sheetnames if name in expected]
        if found != expected:
            problems.append(f"{book.name}: form sheets {found}, expected {expected}")
    fail_on(problems)


def test_xlsx_list_validations_point_at_the_hidden_lists(xlsx_books):
    config, books = xlsx_books
    problems: list[str] = []
    checked = 0
    for _, wb, form, where in form_sheets(books):
        found, count = xlsx_list_problems(where, wb, form, config)
        problems += found
        checked += count
    assert checked, "no choice or class column in any workbook: nothing was checked"
    fail_on(problems)


def test_xlsx_date_and_number_validations(xlsx_books):
    config, books = xlsx_books
    problems: list[str] = []
    checked = defaultdict(int)
    for _, wb, form, where in form_sheets(books):
        ws = wb[form.sheet]
        for col, column in enumerate(form.columns, start=1):
            kind = {"date": "date", "integer": "whole", "decimal": "decimal"}.get(column.type)
            if kind is None or not column.is_input:
                continue
            checked[column.type] += 1
            dv = column_validation(where, ws, form, col, problems)
            if dv is None:
                continue
            what = f"{where}: column {column.key}"
            if dv.type != kind:
                problems.append(f"{what}: validation type {dv.type!r}, expected {kind!r}")
                continue
            lower, upper = (date_bounds(column, config) if column.type == "date"
                            else (column.min, column.max))
            problems += xlsx_bound_problems(what, dv, lower, upper)
    assert checked["date"] and checked["integer"], f"too little was checked: {dict(checked)}"
    fail_on(problems)


def test_xlsx_text_length_validations(xlsx_books):
    _, books = xlsx_books
    problems: list[str] = []
    checked = 0
    for _, wb, form, where in form_sheets(books):
        ws = wb[form.sheet]
        for col, column in enumerate(form.columns, start=1):
            if column.type != "text" or not column.is_input or not column.max_length:
                continue
            checked += 1
            dv = column_validation(where, ws, form, col, problems)
            if dv is None:
                continue
            if (dv.type, dv.operator) != ("textLength", "lessThanOrEqual") \
                    or not same_number(dv.formula1, column.max_length):
                problems.append(f"{where}: column {column.key}: {dv.type} {dv.operator} "
                                f"{dv.formula1!r}, expected textLength <= {column.max_length}")
    assert checked, "no text column with max_length: nothing was checked"
    fail_on(problems)


def test_xlsx_choice_prompt_spells_the_choices_as_listed(xlsx_books):
    """A choice column without a hint of its own lists its choices in the input message; after
    the round trip they must still be spelled exactly as in the drop-down list."""
    _, books = xlsx_books
    problems: list[str] = []
    checked = 0
    for _, wb, form, where in form_sheets(books):
        ws = wb[form.sheet]
        for col, column in enumerate(form.columns, start=1):
            if column.type != "choice" or column.hint:
                continue
            checked += 1
            dv = column_validation(where, ws, form, col, problems)
            missing = [c for c in column.choices if dv is not None and c not in (dv.prompt or "")]
            if missing:
                problems.append(f"{where}: column {column.key}: input message {dv.prompt!r} "
                                f"does not spell the choices {missing}")
    assert checked, "no choice column without a hint: nothing was checked"
    fail_on(problems)


def test_xlsx_only_input_cells_are_unlocked(xlsx_books):
    _, books = xlsx_books
    problems = []
    for _, wb, form, where in form_sheets(books):
        ws = wb[form.sheet]
        width = len(form.columns)
        below = FIRST_DATA_ROW + form.row_count + 1

        for row in data_rows(form):
            for col, column in enumerate(form.columns, start=1):
                if xlsx_locked(ws, row, col) == column.is_input:
                    state = "locked" if column.is_input else "unlocked"
                    problems.append(f"{where}: {get_column_letter(col)}{row} "
                                    f"({column.key}) is {state}")
        for row in (1, HEADER_ROW + 1, below):
            problems += [f"{where}: {get_column_letter(col)}{row} is unlocked"
                         for col in range(1, width + 1) if not xlsx_locked(ws, row, col)]
    fail_on(problems)


def test_xlsx_sheets_stay_protected_and_service_sheets_hidden(xlsx_books):
    _, books = xlsx_books
    problems = []
    for book, wb in books:
        for ws in wb.worksheets:
            if not ws.protection.sheet:
                problems.append(f"{book.name} / {ws.title}: sheet protection is off")
        for name in (LISTS_SHEET, IDENTITY_SHEET):
            if name not in wb.sheetnames:
                problems.append(f"{book.name} / {name}: sheet is missing")
            elif wb[name].sheet_state not in HIDDEN:
                problems.append(f"{book.name} / {name}: sheet is {wb[name].sheet_state}")
        for form in book.respondent.forms:
            if form.sheet in wb.sheetnames and wb[form.sheet].sheet_state != "visible":
                problems.append(f"{book.name} / {form.sheet}: form sheet is "
                                f"{wb[form.sheet].sheet_state}")
    fail_on(problems)


def test_xlsx_identity_survives_as_properties_and_sheet(xlsx_books):
    config, books = xlsx_books
    problems = []
    for book, wb in books:
        identity = expected_identity(book.respondent, config)
        problems += xlsx_identity_problems(book.name, wb, identity)
        if IDENTITY_SHEET not in wb.sheetnames:
            problems.append(f"{book.name} / {IDENTITY_SHEET}: sheet is missing")
            continue
        rows = list(wb[IDENTITY_SHEET].iter_rows(min_row=2, max_row=len(identity.rows()) + 1,
                                                 max_col=3, values_only=True))
        problems += identity_rows_problems(f"{book.name} / {IDENTITY_SHEET}", rows, identity)
    fail_on(problems)


def test_xlsx_keeps_headers_and_prefilled_texts(xlsx_books):
    _, books = xlsx_books
    problems = []
    fixed_forms = set()
    for _, wb, form, where in form_sheets(books):
        ws = wb[form.sheet]
        for col, column in enumerate(form.columns, start=1):
            expected = header_text(column.title, column.required)
            found = one_line(ws.cell(HEADER_ROW + 1, col).value or "")
            if found != expected:
                problems.append(f"{where}: header {get_column_letter(col)}{HEADER_ROW + 1} "
                                f"is {found!r}, expected {expected!r}")
        if form.rows != "fixed":
            continue
        fixed_forms.add(form.id)
        for row, fixed in zip(data_rows(form), form.fixed_rows, strict=True):
            for col, column in enumerate(form.columns, start=1):
                if not column.prefilled:
                    continue
                expected = fixed.get(column.key, "")
                found = ws.cell(row, col).value
                # Unchanged means the same text: no retyping into a number or a date.
                if (found if found is not None else "") != expected:
                    problems.append(f"{where}: {get_column_letter(col)}{row} ({column.key}) "
                                    f"is {found!r}, expected {expected!r}")
    assert "roadmap" in fixed_forms, f"the roadmap was not checked, only {fixed_forms}"
    fail_on(problems)


# --- reading an ods with the standard library ------------------------------------------------

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}


def q(name: str) -> str:
    """``table:name`` → ``{urn:…:table:1.0}name`` for ElementTree."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


@dataclass(frozen=True)
class OdsCell:
    value_type: str | None  # office:value-type; None for an empty cell
    text: str
    style: str | None  # the cell's own style, else the row's or the column's default
    validation: str | None  # table:content-validation-name


@dataclass(frozen=True)
class Ods:
    tables: dict[str, ET.Element]  # table name → table:table
    validations: dict[str, str]  # validation name → table:condition
    named_ranges: dict[str, str]  # workbook-level name → table:cell-range-address
    auto_styles: dict[tuple[str, str], ET.Element]  # (family, name) → content.xml style
    common_styles: dict[tuple[str, str], ET.Element]  # (family, name) → styles.xml style
    user_defined: dict[str, str]  # meta.xml user-defined property → its text


def _styles(root: ET.Element, container: str) -> dict[tuple[str, str], ET.Element]:
    holder = root.find(q(container))
    if holder is None:
        return {}
    return {(s.get(q("style:family")), s.get(q("style:name"))): s
            for s in holder.findall(q("style:style"))}


def read_ods(path: Path) -> Ods:
    with zipfile.ZipFile(path) as z:
        content = ET.fromstring(z.read("content.xml"))
        styles = ET.fromstring(z.read("styles.xml"))
        meta = ET.fromstring(z.read("meta.xml"))
    sheet = content.find(f"{q('office:body')}/{q('office:spreadsheet')}")
    validations = {v.get(q("table:name")): v.get(q("table:condition"), "")
                   for v in sheet.iter(q("table:content-validation"))}
    names = sheet.find(q("table:named-expressions"))
    named_ranges = {} if names is None else {
        r.get(q("table:name")): r.get(q("table:cell-range-address"))
        for r in names.findall(q("table:named-range"))}
    user_defined = {u.get(q("meta:name")): "".join(u.itertext())
                    for u in meta.iter(q("meta:user-defined"))}
    return Ods(
        tables={t.get(q("table:name")): t for t in sheet.findall(q("table:table"))},
        validations=validations, named_ranges=named_ranges,
        auto_styles=_styles(content, "office:automatic-styles"),
        common_styles=_styles(styles, "office:styles"), user_defined=user_defined)


def _inline_text(element: ET.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == q("text:s"):
            parts.append(" " * int(child.get(q("text:c"), "1")))
        elif child.tag == q("text:tab"):
            parts.append("\t")
        elif child.tag == q("text:line-break"):
            parts.append("\n")
        else:
            parts.append(_inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def ods_cells(table: ET.Element, rows: int, cols: int) -> dict[tuple[int, int], OdsCell]:
    """The cells of the top-left ``rows`` × ``cols`` of a table, by 1-based (row, column),
    with repeated rows and cells expanded."""
    column_styles: list[str | None] = []
    for column in table.iter(q("table:table-column")):
        repeat = int(column.get(q("table:number-columns-repeated"), "1"))
        style = column.get(q("table:default-cell-style-name"))
        column_styles += [style] * min(repeat, cols - len(column_styles))
    column_styles += [None] * (cols - len(column_styles))
    grid: dict[tuple[int, int], OdsCell] = {}
    row_no = 0
    for row in table.iter(q("table:table-row")):
        if row_no >= rows:
            break
        row_style = row.get(q("table:default-cell-style-name"))
        cells: list[OdsCell] = []
        for cell in row:
            if cell.tag not in (q("table:table-cell"), q("table:covered-table-cell")):
                continue
            repeat = int(cell.get(q("table:number-columns-repeated"), "1"))
            text = "\n".join(_inline_text(p) for p in cell.findall(q("text:p")))
            for _ in range(min(repeat, cols - len(cells))):
                cells.append(OdsCell(
                    value_type=cell.get(q("office:value-type")), text=text,
                    style=cell.get(q("table:style-name")) or row_style
                    or column_styles[len(cells)],
                    validation=cell.get(q("table:content-validation-name"))))
            if len(cells) >= cols:
                break
        for _ in range(min(int(row.get(q("table:number-rows-repeated"), "1")), rows - row_no)):
            row_no += 1
            grid.update(((row_no, c), cell) for c, cell in enumerate(cells, start=1))
    return grid


def cell_protected(ods: Ods, style: str | None) -> bool:
    """Whether a cell style, through its parent styles, protects the cell. A cell without a
    style has the ``Default`` style; ODF's default is ``protected``."""
    name = style or "Default"
    element = ods.auto_styles.get(("table-cell", name))
    seen: set[str] = set()
    while name and name not in seen:
        seen.add(name)
        if element is None:
            element = ods.common_styles.get(("table-cell", name))
        if element is None:
            break
        props = element.find(q("style:table-cell-properties"))
        value = None if props is None else props.get(q("style:cell-protect"))
        if value:
            return bool({"protected", "hidden-and-protected"} & set(value.split()))
        name, element = element.get(q("style:parent-style-name")), None
    return True


def ods_protected(ods: Ods, grid: dict, row: int, col: int) -> bool:
    cell = grid.get((row, col))
    return cell_protected(ods, cell.style if cell else None)


def table_hidden(ods: Ods, table: ET.Element) -> bool:
    style = ods.auto_styles.get(("table", table.get(q("table:style-name"))))
    props = None if style is None else style.find(q("style:table-properties"))
    return props is not None and props.get(q("table:display")) == "false"


_RANGE = re.compile(r"\$?(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^.']+))"
                    r"\.\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+)(?::.*?\.?\$?(?P<c2>[A-Z]+)\$?(?P<r2>\d+))?")


def ods_list_values(ods: Ods, name: str) -> tuple[str | None, list[str]]:
    """The table a named range points at and the texts in its range."""
    address = ods.named_ranges.get(name)
    match = _RANGE.fullmatch(address or "")
    if match is None:
        return address, []
    table = match["quoted"].replace("''", "'") if match["quoted"] else match["plain"]
    if table not in ods.tables:
        return table, []
    min_col, min_row, max_col, max_row = range_boundaries(
        f"{match['c1']}{match['r1']}:{match['c2'] or match['c1']}{match['r2'] or match['r1']}")
    grid = ods_cells(ods.tables[table], max_row, max_col)
    return table, [grid[(r, c)].text if (r, c) in grid else ""
                   for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


_IN_LIST = re.compile(r"(?:of:)?cell-content-is-in-list\((?P<source>.*)\)")
_DATE = re.compile(r"(?:of:)?cell-content-is-date\(\) and "
                   r"(?:of:)?cell-content-is-between\((?P<lo>[^,]*),(?P<hi>[^)]*)\)")


def ods_form_sheets(books):
    for book, ods, form, where in form_sheets(books):
        table = ods.tables.get(form.sheet)
        if table is None:
            raise AssertionError(f"{where}: the sheet is missing from the ods")
        yield book, ods, form, where, table


# --- tests after the ods round trip --------------------------------------------------------

def test_ods_list_and_date_validations(ods_books):
    config, books = ods_books
    problems = []
    checked = defaultdict(int)
    for _, ods, form, where, table in ods_form_sheets(books):
        grid = ods_cells(table, FIRST_DATA_ROW + form.row_count, len(form.columns))
        for col, column in enumerate(form.columns, start=1):
            pattern = {"choice": _IN_LIST, "class": _IN_LIST, "date": _DATE}.get(column.type)
            if pattern is None:
                continue
            checked[column.type] += 1
            what = f"{where}: column {column.key}"
            names = {grid[(row, col)].validation if (row, col) in grid else None
                     for row in data_rows(form)}
            if len(names) != 1 or None in names:
                problems.append(f"{what}: data rows have validations {names}, expected one "
                                f"validation on every row")
                continue
            condition = ods.validations.get(names.pop(), "")
            match = pattern.fullmatch(condition)
            if match is None:
                problems.append(f"{what}: validation {condition!r} is not a {column.type} "
                                f"validation")
            elif column.type == "date":
                lower, upper = date_bounds(column, config)
                if (lower is not None and not same_number(match["lo"], lower)) or \
                        (upper is not None and not same_number(match["hi"], upper)):
                    problems.append(f"{what}: date between {match['lo']} and {match['hi']}, "
                                    f"expected {lower} and {upper}")
            else:
                name, values = list_source(form, column, config)
                table_name, found = ods_list_values(ods, match["source"])
                if match["source"] != name:
                    problems.append(f"{what}: list source {match['source']!r}, "
                                    f"expected {name!r}")
                elif table_name != LISTS_SHEET or found != values:
                    problems.append(f"{what}: named range {name} → {table_name!r} {found}, "
                                    f"expected {LISTS_SHEET!r} {values}")
    assert checked["date"] and (checked["choice"] or checked["class"]), \
        f"too little was checked: {dict(checked)}"
    fail_on(problems)


def test_ods_service_sheets_hidden_and_every_sheet_protected(ods_books):
    _, books = ods_books
    problems = []
    for book, ods in books:
        for name, table in ods.tables.items():
            if table.get(q("table:protected")) != "true":
                problems.append(f"{book.name} / {name}: table is not protected")
        for name in (LISTS_SHEET, IDENTITY_SHEET):
            if name not in ods.tables:
                problems.append(f"{book.name} / {name}: sheet is missing")
            elif not table_hidden(ods, ods.tables[name]):
                problems.append(f"{book.name} / {name}: sheet is not hidden "
                                f"(no table:display=\"false\")")
        for form in book.respondent.forms:
            if form.sheet in ods.tables and table_hidden(ods, ods.tables[form.sheet]):
                problems.append(f"{book.name} / {form.sheet}: form sheet is hidden")
    fail_on(problems)


def test_ods_only_input_cells_are_unprotected(ods_books):
    _, books = ods_books
    problems = []
    for _, ods, form, where, table in ods_form_sheets(books):
        below = FIRST_DATA_ROW + form.row_count + 1
        grid = ods_cells(table, below, len(form.columns))

        for row in data_rows(form):
            for col, column in enumerate(form.columns, start=1):
                if ods_protected(ods, grid, row, col) == column.is_input:
                    state = "protected" if column.is_input else "unprotected"
                    problems.append(f"{where}: {get_column_letter(col)}{row} "
                                    f"({column.key}) is {state}")
        for row in (1, HEADER_ROW + 1, below):
            problems += [f"{where}: {get_column_letter(col)}{row} is unprotected"
                         for col in range(1, len(form.columns) + 1)
                         if not ods_protected(ods, grid, row, col)]
    fail_on(problems)


def test_ods_identity_survives_in_meta_and_sheet(ods_books):
    config, books = ods_books
    problems = []
    for book, ods in books:
        identity = expected_identity(book.respondent, config)
        for name, value in identity.properties().items():
            if name not in ods.user_defined:
                problems.append(f"{book.name}: meta.xml has no user-defined {name}")
            elif ods.user_defined[name] != value:
                problems.append(f"{book.name}: meta.xml {name} is "
                                f"{ods.user_defined[name]!r}, expected {value!r}")
        table = ods.tables.get(IDENTITY_SHEET)
        if table is None:
            problems.append(f"{book.name} / {IDENTITY_SHEET}: sheet is missing")
            continue
        count = len(identity.rows())
        grid = ods_cells(table, count + 1, 3)
        rows = [tuple(grid[(r, c)].text if (r, c) in grid else "" for c in (1, 2, 3))
                for r in range(2, count + 2)]
        problems += identity_rows_problems(f"{book.name} / {IDENTITY_SHEET}", rows, identity)
    fail_on(problems)


def test_ods_keeps_prefilled_texts(ods_books):
    _, books = ods_books
    problems = []
    fixed_forms = set()
    for _, _, form, where, table in ods_form_sheets(books):
        if form.rows != "fixed":
            continue
        fixed_forms.add(form.id)
        grid = ods_cells(table, FIRST_DATA_ROW + form.row_count, len(form.columns))
        for row, fixed in zip(data_rows(form), form.fixed_rows, strict=True):
            for col, column in enumerate(form.columns, start=1):
                if not column.prefilled:
                    continue
                expected = fixed.get(column.key, "")
                cell = grid.get((row, col))
                found = (cell.value_type, cell.text) if cell else (None, "")
                if found != (("string" if expected else None), expected):
                    problems.append(f"{where}: {get_column_letter(col)}{row} ({column.key}) "
                                    f"is {found}, expected the text {expected!r}")
    assert "roadmap" in fixed_forms, f"the roadmap was not checked, only {fixed_forms}"
    fail_on(problems)


# --- the full path: Excel → LibreOffice → ods → LibreOffice → xlsx ---------------------------

def test_ods_back_to_xlsx_keeps_identity_and_lists(back_to_xlsx):
    config, back = back_to_xlsx
    assert {book.respondent.role for book, _ in back} >= {"ibc_head", "class_teacher"}
    problems: list[str] = []
    checked = 0
    for book, path in back:
        wb = openpyxl.load_workbook(path)
        where = f"{book.name} (ods → xlsx)"
        problems += xlsx_identity_problems(where, wb, expected_identity(book.respondent, config))
        for form in book.respondent.forms:
            if form.sheet not in wb.sheetnames:
                problems.append(f"{where} / {form.sheet}: sheet is missing")
                continue
            found, count = xlsx_list_problems(f"{where} / {form.sheet}", wb, form, config)
            problems += found
            checked += count
        for name in (LISTS_SHEET, IDENTITY_SHEET):
            if name not in wb.sheetnames or wb[name].sheet_state not in HIDDEN:
                problems.append(f"{where} / {name}: sheet is missing or visible")
    assert checked, "no choice or class column: nothing was checked"
    fail_on(problems)


# --- the xls export filter ------------------------------------------------------------------

def test_xls_export_writes_a_binary_workbook_with_every_sheet(roundtrip, tmp_path):
    """The ``xls:MS Excel 97`` filter works: an OLE2 file naming every sheet of the book."""
    _, books = roundtrip
    book = next(b for b in books if b.respondent.role == "ibc_head")
    (xls,) = convert([book.source], XLS, tmp_path)
    data = xls.read_bytes()
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1"), f"{xls.name} is not an OLE2 file"
    sheets = [form.sheet for form in book.respondent.forms] + [LISTS_SHEET, IDENTITY_SHEET]
    missing = [s for s in sheets if s.encode("utf-16-le") not in data]
    assert not missing, f"{xls.name}: sheets {missing} are not in the xls"
