"""Cell positions: zero-based (row, col) inside the code, A1 addresses for people."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
def column_letter(col: int) -> str:
    """``0`` → ``A``, ``27`` → ``AB``."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """The A1 address of the zero-based cell (row, col)."""
    return f"{column_letter(col)}{row + 1}"
