"""The first sheet of a copy for correction, «Что исправить»: who the copy is for, how to
fix it, and a line for every problem with a link to its cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ibc_xls.blanks.generate import print_scale
from ibc_xls.forms.layout import REVIEW_SHEET
from ibc_xls.sheets.formats import BORDERED, ERROR_FILL, LINK_COLOR, WARNING_FILL
from ibc_xls.sheets.measure import TEXT_CHAR, wrapped_lines
from ibc_xls.sheets.xlsx import A4, SIDE_MARGIN, Checked
from ibc_xls.text import Review


@dataclass(frozen=True)
class Item:
    """One line of «Что исправить»: a problem and where it is in the copy, if anywhere."""

    severity: str
    message: str
    sheet: str = ""  # the copy's sheet
    cell: str = ""  # the copy's cell, empty when the problem has none there
    where: str = ""  # where it was in the returned workbook, when the copy has no such cell
    at: tuple[int, int] = (-1, -1)  # the copy's cell as (row, col), for the order of lines


@dataclass(frozen=True)
class Front:
    """What «Что исправить» says besides the problems."""

    label: str  # the respondent, as their blank addresses them
    school: str
    year_label: str
    original: str  # the returned file's name
    as_of: dt.date
    return_to: str
    errors: int | str  # how many (a stencil's stand-in: text)
    warnings: int | str

    @property
    def who(self) -> str:
        return Review.FRONT_WHO.format(label=self.label, school=self.school,
                                       year=self.year_label)

    @property
    def checked(self) -> str:
        return Review.FRONT_CHECKED.format(original=self.original, as_of=self.as_of,
                                           errors=self.errors, warnings=self.warnings)


FRONT_WIDTHS = (5, 22, 10, 13, 56)
FRONT_HEADERS = Review.FRONT_HEADERS
ACROSS = sum(FRONT_WIDTHS)


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _lines(text: str, width: float) -> int:
    return wrapped_lines(text, width, 1 / TEXT_CHAR)


def front_layout(front: Front) -> tuple[int, int]:
    """What of a copy's own texts sets a size on «Что исправить»: the lines its two first
    paragraphs wrap to."""
    return _lines(front.who, ACROSS), _lines(front.checked, ACROSS)


def item_row(number: int, item: Item) -> tuple[list[tuple[int, object, str]], int]:
    """A line of the list of problems: its cells (column, value, style: "centre", "table",
    "link" or the severity) and its height in points."""
    cells = [(0, number, "centre"), (1, item.sheet or item.where, "table"),
             (2, item.cell, "link") if item.cell else (2, "—", "centre"),
             (3, Review.ERROR if item.severity == "error" else Review.WARNING, item.severity),
             (4, item.message, "table")]
    lines = max(_lines(item.message, FRONT_WIDTHS[4]), _lines(item.sheet or item.where,
                                                                 FRONT_WIDTHS[1]))
    return cells, 15 * lines


def item_link(item: Item) -> str:
    """Where a line's link goes: its cell in the copy."""
    return f"{_quoted(item.sheet)}!{item.cell}"


def front_sheet(wb, fmt, front: Front, items: list[Item], measured: Front | None = None):
    """Write «Что исправить» into ``wb`` (an xlsxwriter workbook whose calls are checked) and
    return it. ``measured``: the front whose texts set the row heights, when ``front`` is a
    stencil's (``ibc_xls.review.stencil``)."""
    ws = Checked(wb.add_worksheet(REVIEW_SHEET))
    cell = {**BORDERED, "text_wrap": True}
    add = wb.add_format
    styles = {"error": add({**cell, "bg_color": ERROR_FILL}),
              "warning": add({**cell, "bg_color": WARNING_FILL}),
              "link": add({**cell, "font_color": LINK_COLOR, "underline": 1, "align": "center"}),
              "centre": add({**cell, "align": "center"}),
              "table": fmt.table}
    for col, width in enumerate(FRONT_WIDTHS):
        ws.set_column(col, col, width)
    row = 0

    def line(text: str, style, height: int = 0) -> None:
        nonlocal row
        ws.merge_range(row, 0, row, len(FRONT_WIDTHS) - 1, "", style)
        ws.write_string(row, 0, text, style)
        ws.set_row(row, height or 15 * _lines(text, ACROSS))
        row += 1

    who_lines, checked_lines = front_layout(measured or front)
    line(Review.FRONT_TITLE, fmt.title, 22)
    line(front.who, fmt.bold, 15 * who_lines)
    line(front.checked, fmt.wrap, 15 * checked_lines)
    row += 1
    return_to = front.return_to or Review.RETURN_TO
    line(Review.HOW_TO_FIX, fmt.bold)
    for i, step in enumerate(Review.STEPS, start=1):
        line(Review.STEP.format(number=i, step=step.format(return_to=return_to)), fmt.wrap)
    row += 1
    for severity, key in (("error", Review.ERROR_KEY), ("warning", Review.WARNING_KEY)):
        ws.write_string(row, 0, "", styles[severity])
        ws.merge_range(row, 1, row, 4, "", fmt.wrap)
        ws.write_string(row, 1, key, fmt.wrap)
        row += 1
    row += 1
    header = row
    for col, text in enumerate(FRONT_HEADERS):
        ws.write_string(row, col, text, fmt.table_header)
    row += 1
    for number, item in enumerate(items, start=1):
        cells, height = item_row(number, item)
        for col, value, style in cells:
            if style == "link":
                ws.write_url(row, col, f"internal:{item_link(item)}", styles[style],
                             string=value, tip=Review.GO_TO_CELL)
            elif isinstance(value, str):
                ws.write_string(row, col, value, styles[style])
            else:
                ws.write_number(row, col, value, styles[style])
        ws.set_row(row, height)
        row += 1
    ws.set_paper(A4)
    ws.set_portrait()
    ws.set_margins(left=SIDE_MARGIN, right=SIDE_MARGIN, top=0.5, bottom=0.6)
    ws.set_print_scale(print_scale(FRONT_WIDTHS, False))
    ws.repeat_rows(header)
    ws.print_area(0, 0, row - 1, len(FRONT_WIDTHS) - 1)
    ws.set_footer(Review.FOOTER, {"scale_with_doc": False})
    ws.protect()
    return ws


# The lines a stencil's first sheet is built with (``ibc_xls.review.stencil``): one of each
# style a line's cells may have.
PROBE_ITEMS = (Item("error", "", REVIEW_SHEET, "A1", at=(0, 0)), Item("warning", ""))
