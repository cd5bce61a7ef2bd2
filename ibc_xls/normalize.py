"""Typed values from what people type. So far: class names (``5 а``, ``5A``, ``05-А`` → ``5А``)."""

from __future__ import annotations

import re

# Latin letters that look like Cyrillic class letters, as people type them on an English layout.
_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXYabcehkmoptxy", "АВСЕНКМОРТХУавсенкмортху")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f\u200b\u200c\u200d\ufeff]+")
_CLASS = re.compile(r"^0*(\d{1,2})[\s\-‐‑–—]*([А-ЯЁ]?)$")


def clean_text(value: str) -> str:
    """Collapse every kind of space (non-breaking, zero-width) and strip the ends."""
    return _SPACES.sub(" ", value).strip()


def class_name(value: object) -> str | None:
    """The canonical class name (``5А``, ``11Б``, ``3``) or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = clean_text(value).translate(_LATIN_TO_CYRILLIC).upper().replace("Ё", "Е")
    match = _CLASS.match(text.replace(" ", ""))
    if not match or not 1 <= int(match.group(1)) <= 11:
        return None
    return f"{int(match.group(1))}{match.group(2)}"
