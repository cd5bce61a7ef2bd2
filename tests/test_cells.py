"""Column letters, converted by hand in ``cells.py``, are xlsxwriter's for every column."""

import subprocess
import sys

import pytest
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from ibc_xls.cells import a1, column_letter, column_number

EXCEL_COLUMNS = 16_384  # A … XFD


def test_every_column_has_xlsxwriters_letters_both_ways():
    for col in range(EXCEL_COLUMNS):
        letters = xl_col_to_name(col)
        assert column_letter(col) == letters
        assert column_number(letters) == xl_cell_to_rowcol(f"{letters}1")[1] + 1 == col + 1


def test_a1_addresses():
    assert [a1(0, 0), a1(6, 3), a1(1_048_575, 16_383)] == ["A1", "D7", "XFD1048576"]


@pytest.mark.parametrize("letters", ["", "a", "A1", "Ä", "$A"])
def test_what_are_not_letters_is_refused(letters):
    with pytest.raises(ValueError):
        column_number(letters)


def test_a_negative_column_is_refused():
    with pytest.raises(ValueError):
        column_letter(-1)


def test_the_reader_does_not_load_xlsxwriter():
    # Every reading worker imports the reader and the checks; it writes nothing, and
    # xlsxwriter would add some 50 ms to each start.
    code = ("import sys, ibc_xls.reading.worker, ibc_xls.checking.check; "
            "print('xlsxwriter' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert found.stdout == "False\n"
