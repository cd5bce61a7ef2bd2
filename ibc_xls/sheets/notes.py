"""Cell comments of a sheet written as xlsxwriter writes them for ``write_comment``, for a
workbook finished after it closed (``ibc_xls.review.stencil``).

Excel keeps a sheet's comments in two parts: the comments part (each comment's cell and text)
and a VML drawing (each comment's box: where it is and how big). The box starts one column to
the right of its cell and a row above it and is placed by the columns' widths and the rows'
heights in pixels, as ``_position_object_pixels`` in xlsxwriter places it. Everything that
is the same for every comment of a workbook (the authors, the font, the VML's shape type and
its numbering) is taken from the parts xlsxwriter wrote for a comment of the same sheet.
``tests/test_review_stencil.py`` compares both parts with xlsxwriter's, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ibc_xls.cells import a1
from ibc_xls.sheets.parts import escape_text

# xlsxwriter's box of a comment, before its scales: 128 × 74 px, 15 px right of the next
# column's left edge and 10 px below the top of the row above.
BOX_WIDTH, BOX_HEIGHT = 128, 74
X_OFFSET, Y_OFFSET = 15, 10
# A column and a row of a sheet that does not set their size, in pixels.
DEFAULT_COLUMN_PX, DEFAULT_ROW_PX = 64, 20


@dataclass(frozen=True)
class Note:
    """A comment: its cell (0-based), its text and the scales of its box."""

    row: int
    col: int
    text: str
    x_scale: float = 1.0
    y_scale: float = 1.0

    @property
    def size(self) -> tuple[int, int]:
        return int(0.5 + BOX_WIDTH * self.x_scale), int(0.5 + BOX_HEIGHT * self.y_scale)


class CommentsPart:
    """A sheet's comments part, made like the one xlsxwriter wrote for the same sheet."""

    def __init__(self, written: str):
        # Everything up to the list, the run's properties (font, size, colour) and the end.
        self.head = written[:written.index("<commentList>") + len("<commentList>")]
        self.font = written[written.index("<rPr>"):written.index("</rPr>") + len("</rPr>")]
        self.tail = written[written.index("</commentList>"):]

    def xml(self, notes: Sequence[Note]) -> str:
        items = []
        for note in notes:
            space = ' xml:space="preserve"' if note.text[:1].isspace() \
                or note.text[-1:].isspace() else ""
            items.append(f'<comment ref="{a1(note.row, note.col)}" authorId="0"><text><r>'
                         f"{self.font}<t{space}>{escape_text(note.text)}</t></r></text></comment>")
        return self.head + "".join(items) + self.tail


_FIRST_SHAPE = re.compile(r'<v:shape id="_x0000_s(\d+)"')


class VmlPart:
    """A sheet's VML drawing of comment boxes, made like the one xlsxwriter wrote for the same
    sheet (its shape ids continue the sheet's numbering)."""

    def __init__(self, written: str):
        first = _FIRST_SHAPE.search(written)
        self.head = written[:first.start()]
        self.first_id = int(first[1])
        self.tail = written[written.rindex("</v:shape>") + len("</v:shape>"):]

    def xml(self, notes: Sequence[Note], columns: Sequence[int],
            rows: Mapping[int, int]) -> str:
        """The part with a box for each note; ``columns``: the widths of the first columns
        in pixels (the others have the default), ``rows``: the heights of the rows that do
        not have the default."""

        def column_px(col: int) -> int:
            return columns[col] if col < len(columns) else DEFAULT_COLUMN_PX

        def row_px(row: int) -> int:
            return rows.get(row, DEFAULT_ROW_PX)

        shapes = []
        for z, note in enumerate(notes, start=1):
            width, height = note.size
            (col_start, row_start, x1, y1, col_end, row_end, x2, y2, left,
             top) = _position(note.col + 1, note.row - 1, X_OFFSET, Y_OFFSET, width, height,
                              column_px, row_px)
            style = (f"position:absolute;margin-left:{left * 0.75:.15g}pt;"
                     f"margin-top:{top * 0.75:.15g}pt;width:{width * 0.75:.15g}pt;"
                     f"height:{height * 0.75:.15g}pt;z-index:{z};visibility:hidden")
            anchor = ", ".join(map(str, (col_start, x1, row_start, y1, col_end, x2, row_end,
                                         y2)))
            shapes.append(
                f'<v:shape id="_x0000_s{self.first_id + z - 1}" type="#_x0000_t202" '
                f'style="{style}" fillcolor="#ffffe1" o:insetmode="auto">'
                '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
                '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
                '<div style="text-align:left"></div></v:textbox>'
                '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
                f"<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>"
                f"<x:Row>{note.row}</x:Row><x:Column>{note.col}</x:Column></x:ClientData>"
                "</v:shape>")
        return self.head + "".join(shapes) + self.tail


def _position(col_start: int, row_start: int, x1: int, y1: int, width: int, height: int,
              column_px: Callable[[int], int], row_px: Callable[[int], int]) -> tuple:
    """A box's cells and offsets, and its absolute left and top, in pixels (no hidden rows
    or columns)."""
    left = sum(map(column_px, range(col_start))) + x1
    top = sum(map(row_px, range(row_start))) + y1
    x1, col_start = _walk(x1, col_start, column_px)
    y1, row_start = _walk(y1, row_start, row_px)
    x2, col_end = _walk(width + x1, col_start, column_px)
    y2, row_end = _walk(height + y1, row_start, row_px)
    return col_start, row_start, x1, y1, col_end, row_end, x2, y2, left, top


def _walk(offset: int, index: int, size: Callable[[int], int]) -> tuple[int, int]:
    """An offset from the start of column (or row) ``index``, as the column it falls in and
    the offset from that one's start."""
    while offset >= size(index):
        offset -= size(index)
        index += 1
    return offset, index
