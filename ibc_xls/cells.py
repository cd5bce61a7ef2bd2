"""Cell positions: zero-based (row, col) inside the code, A1 addresses for people.

Column letters are converted here and nowhere else. By hand, not with xlsxwriter's
``xl_col_to_name``: importing ``xlsxwriter.utility`` loads all of xlsxwriter, some 50 ms in
every reading worker, which writes nothing; ``tests/test_cells.py`` compares both functions
with xlsxwriter's for every column a sheet can have."""

from __future__ import annotations

from functools import lru_cache

_A = ord("A")


@lru_cache(maxsize=256)  # ``a1`` runs once per problem, and the same few columns come back
def column_letter(col: int) -> str:
    """``0`` → ``A``, ``27`` → ``AB``: the letters of the zero-based column ``col``."""
    if col < 0:
        raise ValueError(f"column {col} is negative")
    letters = ""
    col += 1
    while col:
        col, digit = divmod(col - 1, 26)
        letters = chr(_A + digit) + letters
    return letters


def a1(row: int, col: int) -> str:
    """The A1 address of the zero-based cell (row, col)."""
    return f"{column_letter(col)}{row + 1}"


def column_number(letters: str) -> int:
    """``A`` → ``1``, ``AB`` → ``28``: the one-based number of a column's letters."""
    if not letters or not letters.isascii() or not letters.isupper() or not letters.isalpha():
        raise ValueError(f"{letters!r} are not column letters")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - _A + 1
    return number
