"""Column letters, converted by hand in ``cells.py``, are xlsxwriter's for every column; the
reading workers, which need them, do without xlsxwriter."""

import subprocess
import sys

import pytest
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from ibc_xls.cells import a1, column_letter, column_number
from ibc_xls.checking.check import check_file

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


def test_a_reading_worker_loads_neither_xlsxwriter_nor_the_runs_machinery():
    # What a reading worker imports (``check_paths`` gives it ``check_file``): it writes
    # nothing and starts no processes, and each import is paid again by every worker.
    assert check_file.__module__ == "ibc_xls.checking.onefile"
    code = ("import sys, ibc_xls.reading.worker, ibc_xls.checking.onefile; "
            "print(sorted(m for m in ('xlsxwriter', 'subprocess', 'ibc_xls.reading.isolate') "
            "if m in sys.modules))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert found.stdout == "[]\n"
