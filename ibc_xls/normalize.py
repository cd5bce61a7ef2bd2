"""Typed values from what people type: dates written as text, numbers with a decimal comma or
spaces, class names in every common spelling, choices regardless of case, ``ё`` and spacing.

What cannot be understood raises Invalid with a problem code; nothing is guessed. Functions
that may understand a value in a way a person should know about return a warning code too.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache

from ibc_xls.problems import shown

# Latin letters that look like Cyrillic class letters, as people type them on an English layout.
# ё is compared as е wherever names and choices are matched.
YO, YE = "ё", "е"
_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXYabcehkmoptxy", "АВСЕНКМОРТХУавсенкмортху")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u2009\u202f\u3000]+")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\u00ad]")
_CLASS = re.compile(r"^0*(\d{1,2})[\s\-‐‑–—]*([А-ЯЁ]?)$")
_DOTTED = re.compile(r"^(\d{1,2})[.\-](\d{1,2})[.\-](\d{4}|\d{2})$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\s+([а-яё]+)\.?\s+(\d{4})$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_YEAR_TAIL = re.compile(r"\s*(г\.?|года?)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\u2010": "-"})
_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "'": '"'})
_QUOTE = re.compile("[«»“”„']")
MONTHS = {
    word: number
    for number, words in enumerate([
        "январь января янв", "февраль февраля фев февр", "март марта мар",
        "апрель апреля апр", "май мая", "июнь июня июн", "июль июля июл",
        "август августа авг", "сентябрь сентября сен сент", "октябрь октября окт",
        "ноябрь ноября ноя нояб", "декабрь декабря дек"], start=1)
    for word in words.split()
}
EXCEL_EPOCH = dt.date(1899, 12, 30)


class Invalid(ValueError):
    """A value that cannot be understood; ``code`` is a problem code from the catalogue."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def clean_text(value: str) -> str:
    """Collapse every kind of space, drop invisible and control characters, strip the ends;
    line breaks inside the text are kept."""
    # Most cells hold plain text already: printable, trimmed, single-spaced.
    if value.isprintable() and "  " not in value and value == value.strip():
        return value
    value = _INVISIBLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in value.split("\n")).strip()


_VISIBLE = re.compile(r"[^\s\u200b-\u200d\u2060\ufeff\u00ad\x00-\x1f\x7f]")


def is_empty(value: object) -> bool:
    if value is None or value == "":
        return True
    if type(value) is not str:
        return False
    if value.isprintable():  # no control, format or separator characters but " "
        return value.isspace()
    return _VISIBLE.search(value) is None


def class_name(value: object) -> str | None:
    """The canonical class name (``5А``, ``11Б``, ``3``) or None when it is not one."""
    if isinstance(value, str | int | float):
        return _class_name(value)
    return None


@lru_cache(maxsize=1024)
def _class_name(value: str | int | float) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = clean_text(value).translate(_LATIN_TO_CYRILLIC).upper().replace(YO.upper(), YE.upper())
    match = _CLASS.match(text.replace(" ", ""))
    if not match or not 1 <= int(match.group(1)) <= 11:
        return None
    return f"{int(match.group(1))}{match.group(2)}"


@lru_cache(maxsize=8192)
def choice_key(text: str) -> str:
    """What choices are compared on: case, ``ё``, quotes, spacing and a final full stop
    do not matter."""
    text = clean_text(text).casefold().replace(YO, YE)
    if _QUOTE.search(text):  # str.translate is slow on Cyrillic text; quotes are rare
        text = text.translate(_QUOTES)
    if not text.isprintable():  # clean_text keeps line breaks; a key does not
        text = " ".join(text.split())
    return text.rstrip(".")


def to_choice(value: object, index: dict[str, str]) -> str:
    """The canonical choice for ``value``; ``index`` maps choice_key → choice."""
    if not isinstance(value, str):
        value = to_text(value)
    try:
        return index[choice_key(value)]
    except KeyError:
        raise Invalid("unknown-choice") from None


def to_text(value: object) -> str:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return shown(value)  # as Russian Excel shows a logical value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y")
    return str(value)


def to_number(value: object) -> float | int:
    """A number from a cell: ``3,5``, ``1 000``, ``−2`` are understood; ``5+`` is not."""
    if isinstance(value, bool):
        raise Invalid("bad-number")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise Invalid("bad-number")
        return value
    if not isinstance(value, str):
        raise Invalid("bad-number")
    text = _SPACES.sub("", clean_text(value)).replace(" ", "").translate(_MINUS)
    if "," in text:
        if "." in text or text.count(",") > 1:
            raise Invalid("bad-number")
        text = text.replace(",", ".")
    if not _NUMBER.match(text):
        raise Invalid("bad-number")
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def to_int(value: object) -> int:
    number = to_number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise Invalid("not-integer")
        return int(number)
    return number


def _make_date(year: int, month: int, day: int) -> dt.date:
    if year < 100:
        year += 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Invalid("bad-date") from None


def to_date(value: object) -> tuple[dt.date, str | None]:
    """A date and, where a person should know how it was understood, a warning code."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, bool | dt.time | dt.timedelta):
        raise Invalid("bad-date")
    if isinstance(value, int | float):
        if not (math.isfinite(value) and 1 <= value < 2958466):
            raise Invalid("bad-date")
        return EXCEL_EPOCH + dt.timedelta(days=int(value)), "date-from-number"
    if not isinstance(value, str):
        raise Invalid("bad-date")
    text = _YEAR_TAIL.sub("", _TIME_TAIL.sub("", clean_text(value).casefold()))
    if m := _DOTTED.match(text):
        return _make_date(int(m[3]), int(m[2]), int(m[1])), None
    if m := _ISO.match(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3])), None
    if m := _WORDS.match(text):
        month = _month(m[2])
        return _make_date(int(m[3]), month, int(m[1])), None
    if m := _SLASHED.match(text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        if first == second or first > 12:
            return _make_date(year, second, first), None
        if second > 12:
            return _make_date(year, first, second), "date-month-first"
        raise Invalid("ambiguous-date")
    raise Invalid("bad-date")


def _month(word: str) -> int:
    try:
        return MONTHS[word.replace(YO, YE)]
    except KeyError:
        raise Invalid("bad-date") from None
