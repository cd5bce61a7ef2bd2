"""What people type, understood or refused: never guessed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ibc_xls.normalize import (
    Invalid,
    choice_key,
    clean_text,
    is_empty,
    to_choice,
    to_date,
    to_int,
    to_number,
    to_text,
)

D = dt.date


@pytest.mark.parametrize(("typed", "expected", "warning"), [
    ("05.09.2024", D(2024, 9, 5), None),
    ("5.9.2024", D(2024, 9, 5), None),
    ("05.09.24", D(2024, 9, 5), None),
    ("05-09-2024", D(2024, 9, 5), None),
    ("2024-09-05", D(2024, 9, 5), None),
    ("2024-09-05 00:00:00", D(2024, 9, 5), None),
    ("5 сентября 2024", D(2024, 9, 5), None),
    ("5 сентября 2024 г.", D(2024, 9, 5), None),
    ("1 марта 2025 года", D(2025, 3, 1), None),
    ("5 мая 2025", D(2025, 5, 5), None),
    ("12 Декабря 2025", D(2025, 12, 12), None),
    ("5 сент. 2024", D(2024, 9, 5), None),
    ("\u00a005.09.2024\u200b ", D(2024, 9, 5), None),
    ("25/09/2024", D(2024, 9, 25), None),
    ("09/25/2024", D(2024, 9, 25), "date-month-first"),
    ("07/07/2024", D(2024, 7, 7), None),
    (dt.datetime(2025, 4, 1, 0, 0), D(2025, 4, 1), None),
    (D(2025, 4, 1), D(2025, 4, 1), None),
    (45901, D(2025, 9, 1), "date-from-number"),
    (45901.0, D(2025, 9, 1), "date-from-number"),
])
def test_dates_as_people_type_them(typed, expected, warning):
    assert to_date(typed) == (expected, warning)


@pytest.mark.parametrize(("typed", "code"), [
    ("31.02.2025", "bad-date"),
    ("05/09/2024", "ambiguous-date"),
    ("вчера", "bad-date"),
    ("5 мартобря 2024", "bad-date"),
    ("2024", "bad-date"),
    (True, "bad-date"),
    (dt.time(0, 0), "bad-date"),
    (-3, "bad-date"),
    ("32.01.2025", "bad-date"),
])
def test_dates_that_cannot_be_understood(typed, code):
    with pytest.raises(Invalid) as exc:
        to_date(typed)
    assert exc.value.code == code


@pytest.mark.parametrize(("typed", "expected"), [
    ("3,5", 3.5), ("1 000", 1000), ("1\u00a0000", 1000), ("1\u202f000", 1000), ("−2", -2),
    (" 7 ", 7), ("+4", 4), (12, 12), (2.5, 2.5), ("0,25", 0.25),
])
def test_numbers(typed, expected):
    assert to_number(typed) == expected


@pytest.mark.parametrize("typed", ["5+", "1.000,5", "36 ч", "", "три", True, "1,2,3", "--1"])
def test_numbers_refused(typed):
    with pytest.raises(Invalid) as exc:
        to_number(typed)
    assert exc.value.code == "bad-number"


def test_whole_numbers():
    assert to_int("3,0") == 3
    assert to_int(4.0) == 4
    with pytest.raises(Invalid) as exc:
        to_int("3,5")
    assert exc.value.code == "not-integer"


def test_choices_ignore_case_yo_quotes_and_spacing():
    choices = ["Призёр", "Победитель", "МОУ «СОШ №4»", "Не начато"]
    index = {choice_key(c): c for c in choices}
    assert to_choice("призер", index) == "Призёр"
    assert to_choice("  ПОБЕДИТЕЛЬ. ", index) == "Победитель"
    assert to_choice('моу "сош №4"', index) == "МОУ «СОШ №4»"
    assert to_choice("не\u00a0 начато", index) == "Не начато"
    with pytest.raises(Invalid):
        to_choice("Лауреат", index)


def test_text_is_cleaned_but_keeps_line_breaks():
    assert clean_text(" Иванов\u00a0 Пётр\u200b\x07 ") == "Иванов Пётр"
    assert clean_text("первая\r\nвторая_x") == "первая\nвторая_x"
    assert to_text(45.0) == "45"
    assert to_text(D(2025, 1, 9)) == "09.01.2025"


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.booleans(),
                 st.dates(), st.datetimes(), st.none()))
def test_normalisers_return_a_value_or_invalid(value):
    for parse in (to_date, to_number, to_int, to_text):
        try:
            parse(value)
        except Invalid:
            pass


# Text with the characters the fast paths must not get wrong: spaces of every kind, line
# breaks, zero-width and control characters, quotes, ё and a final full stop.
_TRICKY = st.text(st.sampled_from(list("аЁё Ab.«»\"'\t\n\r\u00a0\u2009\u200b\u00ad\ufeff"
                                       "\x01\x7f\u2028")) | st.characters())


@given(_TRICKY)
def test_is_empty_means_nothing_visible(text):
    invisible = "\u200b\u200c\u200d\u2060\ufeff\u00ad\x7f"
    visible = [c for c in text if not c.isspace() and c not in invisible and c >= " "]
    assert is_empty(text) == (not visible)


@given(_TRICKY)
def test_choice_key_ignores_case_spacing_yo_quotes_and_final_stop(text):
    plain = " ".join(clean_text(text).casefold().replace("ё", "е")
                     .translate(str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"',
                                               "„": '"', "'": '"'})).split()).rstrip(".")
    assert choice_key(text) == plain
