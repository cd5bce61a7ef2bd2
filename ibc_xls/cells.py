"""Cell positions: zero-based (row, col) inside the code, A1 addresses for people.

The column letters are xlsxwriter's (``xl_col_to_name``, cached here: ``a1`` runs once per
problem, and the same few columns come back); no other module converts them by hand."""

from __future__ import annotations

from functools import lru_cache

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

column_letter = lru_cache(maxsize=256)(xl_col_to_name)


def a1(row: int, col: int) -> str:
    """The A1 address of the zero-based cell (row, col)."""
    return f"{column_letter(col)}{row + 1}"


def column_number(letters: str) -> int:
    """``A`` → ``1``, ``AB`` → ``28``: the one-based number of a column's letters."""
    return xl_cell_to_rowcol(f"{letters}1")[1] + 1
