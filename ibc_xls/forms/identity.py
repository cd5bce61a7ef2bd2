"""A workbook's identity: which template it is, for whom, for which school and year.

It is written twice, as string custom document properties and as cells of a hidden sheet,
because a spreadsheet application may drop or retype one of them on save. This module writes
the sheet (for blanks and reports alike) and reads it back with the properties.
"""

from __future__ import annotations

from dataclasses import dataclass

from ibc_xls import __version__
from ibc_xls.normalize import YE, YO
from ibc_xls.problems import shown
from ibc_xls.text import Passport

IDENTITY_SHEET = "Паспорт"
PROPERTY_PREFIX = "ibc_xls_"

# The sheet: a header, one row per field (name, Russian label, value), an empty row, then
# the table of the forms the workbook holds, under a header whose first cell is FORMS_MARK.
HEADER = ("Поле", "Название", "Значение")
FORMS_MARK = "Форма"
FORMS_HEADER = (FORMS_MARK, "Версия", "Лист")
REPORT_FORMS_HEADER = (*FORMS_HEADER, "Таблица")
# A report's «Паспорт» also lists, between its fields and its forms (for ``ibc-xls rollup``),
# its named tables and how its key figures are counted again, each under its header row.
TABLES_HEADER = ("Таблица", "Лист", "Вид", "Диапазон", "Итог", "Порядок", "Мест", "Заголовки")
CHECKS_HEADER = ("Показатель", "Форма", "Счёт", "Столбец", "Класс", "Отбор", "Таблица")
HEADER_SEPARATOR = " | "  # between a table's headers, and between the values of a choice
ORDER_SEPARATOR = "; "  # between sort keys; "-" before a header: more is better

# (field, Russian label on the identity sheet); the order is the sheet's row order.
FIELDS = tuple((name, Passport.LABELS[name]) for name in (
    "template", "template_version", "respondent_id", "respondent", "class_name", "school",
    "academic_year", "generator"))


# The version of the report's layout that ``ibc-xls rollup`` reads: its identity, the tables
# listed on its «Паспорт» sheet and how they are laid out. Raise it when a change would make
# an older rollup misread a report; rollup refuses a report of another version.
REPORT_FORMAT = "1"

# A report's identity fields, in the order of its «Паспорт» sheet.
REPORT_FIELDS = tuple((name, Passport.LABELS[name]) for name in (
    "kind", "format", "school", "full_name", "academic_year", "period_label", "period_start",
    "period_end", "as_of", "generator", "created"))


@dataclass(frozen=True)
class Identity:
    """Everything ``collect`` needs to know what a returned workbook is and who sent it."""

    template: str
    template_version: str
    respondent_id: str
    respondent: str
    class_name: str
    school: str
    academic_year: str
    generator: str = f"ibc-xls {__version__}"

    def properties(self) -> dict[str, str]:
        """Custom document properties, all strings."""
        return {PROPERTY_PREFIX + name: getattr(self, name) for name, _ in FIELDS}

    def rows(self) -> list[tuple[str, str, str]]:
        """Rows of the identity sheet: field, Russian label, value."""
        return [(name, label, getattr(self, name)) for name, label in FIELDS]


def template_version(forms) -> str:
    """``roadmap:1 documents:1``: every form of a workbook with its spec version."""
    return " ".join(f"{f.id}:{f.version}" for f in forms)


# --- writing -----------------------------------------------------------------------------------

def write_sheet(wb, ws, rows, forms_header: tuple[str, ...], forms, bold) -> None:
    """Fill ``ws`` (a checked xlsxwriter worksheet of ``wb``) as the hidden, protected identity
    sheet: ``rows`` are (field, label, value), ``forms`` rows of ``forms_header``'s columns."""
    for col, text in enumerate(HEADER):
        ws.write_string(0, col, text, bold)
    for row, cells in enumerate(rows, start=1):
        for col, text in enumerate(cells):
            ws.write_string(row, col, text)
    start = len(rows) + 2
    for col, text in enumerate(forms_header):
        ws.write_string(start, col, text, bold)
    for row, cells in enumerate(forms, start=start + 1):
        for col, text in enumerate(cells):
            ws.write_string(row, col, str(text))
    ws.set_column(0, len(forms_header) - 1, 24)
    ws.hide()
    ws.protect()


# --- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Conflict:
    """A field where the identity sheet and the custom properties, both present, disagree."""

    label: str
    on_sheet: str
    in_properties: str

    def params(self) -> dict[str, str]:
        """The parameters of the ``identity-mismatch`` that says it."""
        return {"why": "properties", "label": self.label, "on_sheet": self.on_sheet,
                "in_properties": self.in_properties}


def cell_value(sheet, row: int, col: int) -> object:
    """The value read at zero-based (row, col) of a raw sheet, "" outside what it holds."""
    r, c = row - sheet.origin[0], col - sheet.origin[1]
    if 0 <= r < len(sheet.rows) and 0 <= c < len(sheet.rows[r]):
        return sheet.rows[r][c]
    return ""


def cell_text(value: object) -> str:
    """A raw value as text: ``7.0`` as ``7``, a logical value in Russian, stripped."""
    if isinstance(value, bool):
        return shown(value)  # the Russian word, not True
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _loose(text: str) -> str:
    """How identity values compare: a spreadsheet application may change spacing and case."""
    return " ".join(text.split()).casefold().replace(YO, YE)


def read(raw) -> tuple[dict[str, str], dict[str, tuple[str, str]], list[Conflict]]:
    """The identity fields, the forms table (id → (version, sheet)) and the conflicts of a raw
    workbook (``reading.rawread.RawWorkbook``: ``sheets`` by name, ``properties``).

    The hidden sheet's cells come first: a fast value reader sees them in every format, and
    a spreadsheet application keeps them as typed. Custom properties fill what is missing."""
    identity: dict[str, str] = {}
    forms: dict[str, tuple[str, str]] = {}
    sheet = raw.sheets.get(IDENTITY_SHEET)
    known = {name for name, _ in FIELDS}
    if sheet is not None:
        top = sheet.origin[0]
        in_forms = False
        for r in range(top, top + len(sheet.rows)):
            key, second, third = (cell_text(cell_value(sheet, r, c)) for c in range(3))
            if key == FORMS_MARK:
                in_forms = True
            elif in_forms and key:
                forms[key] = (second, third)
            elif key in known:
                identity[key] = third
    labels = dict(FIELDS)
    conflicts = []
    for name, value in raw.properties.items():
        if name.startswith(PROPERTY_PREFIX):
            field_name, text = name[len(PROPERTY_PREFIX):], cell_text(value)
            on_sheet = identity.setdefault(field_name, text)
            if field_name in labels and _loose(on_sheet) != _loose(text):
                conflicts.append(Conflict(labels[field_name], on_sheet, text))
    if not forms and identity.get("template_version"):
        for part in identity["template_version"].split():
            form_id, _, version = part.partition(":")
            forms[form_id] = (version, "")
    return identity, forms, conflicts
