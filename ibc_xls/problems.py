"""Problems as values, the catalogue of their codes and Russian messages, and the error that
carries them.

Every message a user sees about bad input lives in CATALOGUE, keyed by a stable kebab-case code.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Kind:
    """One kind of problem: its Russian title and message template."""

    title: str
    template: str
    severity: Severity = Severity.ERROR


CATALOGUE: dict[str, Kind] = {
    # Settings files: the form specs in templates/ and the school's ibc-xls.toml.
    "toml-syntax": Kind(
        "Файл настроек не читается",
        "Файл нельзя прочитать как TOML: {reason}. Исправьте синтаксис (кавычки, скобки, запятые).",
    ),
    "toml-missing-key": Kind(
        "Нет обязательного ключа",
        "Не задан ключ «{key}». Добавьте его.",
    ),
    "toml-bad-value": Kind(
        "Недопустимое значение",
        "Ключ «{key}»{shown}: {reason}.",
    ),
    "toml-unknown-key": Kind(
        "Неизвестный ключ",
        "Ключ «{key}» не известен ibc-xls. Проверьте написание; допустимо: {allowed}.",
    ),
    "toml-duplicate": Kind(
        "Повтор",
        "Ключ «{key}»: значение «{value}» уже встречается{where}. Значения должны быть разными.",
    ),
    "spec-empty": Kind(
        "Нет шаблонов",
        "В папке нет ни одного шаблона формы (*.toml). Скопируйте шаблоны из поставки ibc-xls.",
    ),
    "generate-into-returned": Kind(
        "Бланки в папку сданных книг",
        "Бланки нельзя записывать в папку сданных книг: там они смешаются с заполненными. "
        "Укажите другую папку.",
    ),
    "generate-unsafe-name": Kind(
        "Недопустимое имя файла",
        "Из имени респондента не получилось безопасное имя файла. Измените имя в ibc-xls.toml.",
    ),
    "config-missing": Kind(
        "Нет файла настроек",
        "Файл настроек не найден. Создайте рабочую папку командой «ibc-xls init ПАПКА» "
        "или укажите её параметром --folder.",
    ),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: object = None
    params: dict = dataclasses.field(default_factory=dict, compare=False, hash=False)

    @property
    def kind(self) -> Kind:
        return CATALOGUE[self.code]

    @property
    def severity(self) -> Severity:
        return self.kind.severity

    @property
    def message(self) -> str:
        """The Russian explanation: what is wrong and what to do."""
        return self.kind.template.format(value=self.value, **self.params)

    def where(self) -> str:
        """File, sheet and cell (or key) in Russian, as much as is known."""
        parts = []
        if self.file:
            parts.append(f"Файл «{self.file}»")
        if self.sheet:
            parts.append(f"лист «{self.sheet}»")
        if self.cell:
            parts.append(f"ячейка {self.cell}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class IbcError(Exception):
    """A failure that stops a command; carries the problems that explain it."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
