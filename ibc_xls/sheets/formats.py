"""The cell formats of every workbook the package writes: one font, the header fill, the borders,
the fills and the number and date formats, for the blanks and their copies for correction
(``FormFormats``) and for the report and the office's summary (``ReportFormats``).

One family, Arial, everywhere: LibreOffice has a metric twin of it on every system (Liberation
Sans), so the columns, the wrapping and the print scale come out as in Excel. Calibri's twin
(Carlito) is often missing, and LibreOffice then sets a wider font than the row heights were
worked out for. The workbook's default font, Arial 10, keeps Excel's column unit (7 px a
digit) that the widths are worked out in (``sheets.measure``).
"""

from __future__ import annotations

from types import MappingProxyType

FONT, FONT_SIZE = "Arial", 11
# xlsxwriter adds keys to the dict it is given: each workbook gets a copy, and the original
# cannot be changed (a test that passed it itself changed every later workbook of its process).
# "none": not the theme's font. xlsxwriter marks a format in the default font as the theme's
# minor font, and Excel then shows it in the theme's Calibri whatever the name says.
DEFAULT_FONT = MappingProxyType({"font_name": FONT, "font_size": 10, "font_scheme": "none"})

HEADER_FILL = "#DCE6F1"
BORDER_COLOR = "#A6A6A6"
LINK_COLOR = "#0563C1"
NOTE_COLOR = "#595959"
INPUT_FILL = "#FFF7D6"
PREFILLED_FILL = "#F2F2F2"
# A copy for correction (``ibc_xls.review``) marks cells with problems in colours of their
# own, unlike the yellow of an input cell.
ERROR_FILL = "#F8B4B4"
WARNING_FILL = "#FFD98A"
# The report's rows that need a look (not sent, refused, not counted).
MARK_FILL = "#F8CBAD"

DATE_FORMAT = "dd.mm.yyyy"
DATETIME_FORMAT = "dd.mm.yyyy hh:mm"

BASE = MappingProxyType({"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"})
BORDERED = MappingProxyType({**BASE, "border": 1, "border_color": BORDER_COLOR})

# What an input cell of a blank holds, by the column's type.
INPUT_KINDS = MappingProxyType({
    "text": {"text_wrap": True, "num_format": "@"},
    "choice": {"text_wrap": True, "num_format": "@"},
    "class": {"num_format": "@"},
    "date": {"num_format": DATE_FORMAT, "align": "center"},
    "integer": {"num_format": "0"},
    "decimal": {"num_format": "0.0#"},
})


def workbook_options() -> dict:
    """xlsxwriter's options for every workbook the package writes: in memory, no text ever
    turned into a formula, a link or a number, and the default font."""
    return {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "default_format_properties": dict(DEFAULT_FONT)}


class FormFormats:
    """The formats of a blank's sheets; ``marked``: also those of the cells with problems in a
    copy for correction (a blank's styles stay as they were without them)."""

    def __init__(self, wb, marked: bool = False):
        base, cell = dict(BASE), dict(BORDERED)
        add = wb.add_format
        self.title = add({**base, "bold": True, "font_size": 14})
        self.subtitle = add({**base, "italic": True})
        self.subtitle_wrap = add({**base, "italic": True, "text_wrap": True})
        self.wrap = add({**base, "text_wrap": True})
        self.bold = add({**base, "bold": True})
        self.header = add({**cell, "bold": True, "text_wrap": True, "bg_color": HEADER_FILL,
                           "align": "center", "valign": "vcenter"})
        self.prefilled = add({**cell, "text_wrap": True, "bg_color": PREFILLED_FILL})
        unlocked = {**cell, "locked": False, "bg_color": INPUT_FILL}
        self.input = {kind: add({**unlocked, **props}) for kind, props in INPUT_KINDS.items()}
        self.table = add({**cell, "text_wrap": True})
        self.table_header = add({**cell, "bold": True, "text_wrap": True, "bg_color": HEADER_FILL})
        self.marked: dict[tuple[str, str], object] = {}
        if marked:
            for severity, fill in (("error", ERROR_FILL), ("warning", WARNING_FILL)):
                for kind, props in INPUT_KINDS.items():
                    self.marked[kind, severity] = add({**unlocked, **props, "bg_color": fill})
                self.marked["prefilled", severity] = add(
                    {**cell, "text_wrap": True, "bg_color": fill})

    def style(self, kind: str, severity: str | None = None):
        """The format of a form's data cell: ``kind`` is the column's type or "prefilled",
        ``severity`` that of the cell's mark in a copy (None: not marked)."""
        if severity is not None:
            return self.marked[kind, severity]
        return self.prefilled if kind == "prefilled" else self.input[kind]


class ReportFormats:
    """Every format of the report and of the office's summary; ``cell`` picks one by the kind
    of value."""

    def __init__(self, wb):
        base = {**BASE, "text_wrap": True}
        add = wb.add_format
        self.title = add({**base, "bold": True, "font_size": 16})
        self.heading = add({**base, "bold": True, "font_size": 13})
        self.line = add(base)
        self.note = add({**base, "italic": True, "font_color": NOTE_COLOR})
        self.bold = add({**base, "bold": True})
        self.link = add({**base, "font_color": LINK_COLOR, "underline": 1, "text_wrap": False})
        self.plain = add({**base, "text_wrap": False})
        self.header = add({**base, "bold": True, "bg_color": HEADER_FILL, "border": 1,
                           "border_color": BORDER_COLOR, "valign": "vcenter"})
        # A number stands off its cell's right edge, so that it never touches the text of
        # the next cell («7 статус», not «7статус»).
        apart = {"align": "right", "indent": 1}
        kinds = {"text": {}, "int": {"num_format": "0", **apart},
                 "number": {"num_format": "0.00", **apart}, "general": apart,
                 "date": {"num_format": DATE_FORMAT, "align": "left"},
                 "datetime": {"num_format": DATETIME_FORMAT, "align": "left"}}
        self.cells = {(kind, marked): add({**base, **extra,
                                           **({"bg_color": MARK_FILL} if marked else {})})
                      for kind, extra in kinds.items() for marked in (False, True)}
        self.total = {kind: add({**base, **extra, "bold": True}) for kind, extra in kinds.items()}
        self.mark = add({"bg_color": MARK_FILL})  # for conditional formats

    def cell(self, kind: str, marked: bool = False):
        return self.cells[(kind, marked)]

    def bulk(self) -> dict[str, object]:
        """The formats of a large table's cells, by the kind of value (``tablewriter.KINDS``);
        its numbers keep as many decimals as they have."""
        return {"text": self.cells[("text", False)], "number": self.cells[("general", False)],
                "date": self.cells[("date", False)], "datetime": self.cells[("datetime", False)]}
