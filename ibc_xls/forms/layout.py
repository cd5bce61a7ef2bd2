"""Where things stand on a form sheet, shared by the writer and the reader."""

from __future__ import annotations

import re
from functools import lru_cache

from ibc_xls.normalize import YE, YO
from ibc_xls.text import Sheets

INSTRUCTIONS_SHEET = Sheets.INSTRUCTIONS
LISTS_SHEET = Sheets.LISTS
TITLE_ROW = 0
HEADER_ROW = 3  # zero-based: rows 1–3 hold the title, the respondent and the description
FIRST_DATA_ROW = HEADER_ROW + 1
# A no-break space: the mark never stands alone on a header's last line.
REQUIRED_MARK = "\u00a0*"


def header_text(title: str, required: bool) -> str:
    """A column's header as written: its title, marked when the column is required."""
    return title + REQUIRED_MARK if required else title


# A word broken by a hyphen and a space («удовлетвори- тельном»), as earlier blanks wrote
# some titles, is the same word.
_BROKEN_WORD = re.compile(r"(?<=\w)-\s+(?=\w)")


@lru_cache(maxsize=4096)
def _header_key(text: str) -> str:
    text = _BROKEN_WORD.sub("", " ".join(text.split()))
    if text.endswith("*"):
        text = text[:-1].rstrip()
    return text.casefold().replace(YO, YE)


def header_key(text: object) -> str:
    """What a header cell is matched on: the title without the mark, case and spacing."""
    return _header_key(text) if isinstance(text, str) else ""


def list_name(form_id: str, key: str) -> str:
    """The defined name of a choice list on the hidden lists sheet."""
    return f"list_{form_id}_{key}"


CLASSES_LIST = "list_classes"

# The first sheet of a copy for correction (``ibc-xls review``): what to fix, with links.
REVIEW_SHEET = Sheets.REVIEW
