"""Checking hand-edited TOML settings files (form specs, the school's configuration): every
problem names the file and the key, in Russian."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from ibc_xls.problems import IbcError, Problem
from ibc_xls.text import Toml


def read_toml(path: Path) -> dict:
    """Parse a TOML file; a syntax error becomes an IbcError naming the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise IbcError(Problem("toml-syntax", file=str(path), params={"why": "encoding"})) \
            from exc
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        params = {"why": "at", "line": where[1], "column": where[2]} if where \
            else {"why": "at-end"}
        raise IbcError(Problem("toml-syntax", file=str(path), params=params)) from exc


def bad_value(file: str, key: str, why: str, value: object = None, **params) -> Problem:
    """A settings key whose value is wrong, with the value that was found: ``why`` names the
    variant of ``toml-bad-value`` that says what is wrong, ``params`` are its parameters."""
    shown = "" if value is None else Toml.SHOWN.format(value=_as_toml(value))
    return Problem("toml-bad-value", file=file, field=key, value=value,
                   params={**params, "key": key, "why": why, "shown": shown})


class Checker:
    """Collects the problems of one TOML settings file, each naming the key it is about."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, code: str, key: str, value: object = None, **params) -> None:
        self.problems.append(
            Problem(code, file=self.file, field=key, value=value, params={"key": key, **params})
        )

    def bad(self, key: str, why: str, value: object = None, **params) -> None:
        """``toml-bad-value`` for ``key``: see ``bad_value``."""
        self.problems.append(bad_value(self.file, key, why, value, **params))

    def unknown(self, table: dict, allowed: Iterable[str], prefix: str) -> None:
        allowed = tuple(allowed)
        for k in table:
            if k not in allowed:
                self.add("toml-unknown-key", f"{prefix}{k}", allowed=", ".join(allowed))

    def get(self, table: dict, name: str, kind: type | tuple, prefix: str, *, required=True,
            default=None):
        key = f"{prefix}{name}"
        if name not in table:
            if required:
                self.add("toml-missing-key", key)
            return default
        value = table[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        ok = False if isinstance(value, bool) and bool not in kinds else isinstance(value, kinds)
        if not ok:
            name = kinds[0].__name__
            self.bad(key, "expected", value, kind=Toml.TYPE_NAMES.get(name, name))
            return default
        if isinstance(value, str) and not value.strip() and required:
            self.bad(key, "empty-string", value)
            return default
        return value

    def strings(self, table: dict, name: str, prefix: str, *, required=False) -> tuple[str, ...]:
        value = self.get(table, name, list, prefix, required=required, default=[])
        if not all(isinstance(v, str) and v.strip() for v in value):
            self.bad(f"{prefix}{name}", "strings", value)
            return ()
        return tuple(value)

    def one_of(self, value, allowed: tuple, key: str) -> None:
        if value is not None and value not in allowed:
            self.bad(key, "one-of", value, allowed=", ".join(map(str, allowed)))


def _as_toml(value: object) -> object:
    """A value as it is written in the TOML file: ``true``, ``["5А", 3]``, not Python's
    ``True``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(map(_inner, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_inner(v)}" for k, v in value.items()) + "}"
    return value


def _inner(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else str(_as_toml(value))
