"""How much room a text takes in a cell: the lines it wraps to, for row heights.

Spreadsheet applications do not fit a row to wrapped text when they open a workbook (LibreOffice
never does), so the writers set each height from these estimates."""

from __future__ import annotations

import math

LINE_PT = 15  # the height of one line of 11 pt text
# Width units (Excel's: 7 px, a digit of the default font) a letter takes, measured for
# Arial 11 (``sheets.formats``; Liberation Sans in LibreOffice) on Cyrillic text: bold in
# headers, plain in cells.
HEADER_CHAR = 1.3
TEXT_CHAR = 1.2


def column_px(width: float) -> int:
    """A column ``width`` units wide, in pixels, as Excel sizes it for the default font (7 px
    a digit and 5 of padding); a print scale and a comment's box are worked out from it."""
    return int(width * 7 + 0.5) + 5


def wrapped_lines(text: str, width: float, chars_per_width: float, size: float = 11) -> int:
    """How many lines a text wraps to, word by word, in a column ``width`` wide that holds
    ``chars_per_width`` characters of 11 pt text a unit, at ``size`` points (bold counts as a
    size larger)."""
    chars = max(int(width * chars_per_width * 11 / size), 1)
    text = str(text)
    if len(text) <= chars and "\n" not in text:
        return 1  # most cells, spared the loop: it would count their letters to one line
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, -1
        for word in paragraph.split(" "):
            if used + 1 + len(word) <= chars:
                used += 1 + len(word)
            else:
                lines += used >= 0
                used = len(word)
            while used > chars:  # a word longer than the line breaks anywhere
                lines, used = lines + 1, used - chars
        total += lines
    return total


_NARROW = frozenset(" \u00a0*()[],.:;!'\"-–«»/|1")


def bold_width(text: str) -> float:
    """Width units a bold text needs on one line (a header's word): capitals are wider than
    HEADER_CHAR, digits and punctuation narrower (Arial's advance widths), and one unit of
    padding."""
    units = sum(0.6 if ch in _NARROW else 1.6 if ch.isupper() else 1.15 if ch.isdigit()
                else HEADER_CHAR for ch in text)
    return math.ceil(units + 1)
