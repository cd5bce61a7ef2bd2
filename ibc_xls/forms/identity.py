"""A workbook's identity: which template it is, for whom, for which school and year.

It is written twice, as string custom document properties and as cells of a hidden sheet,
because a spreadsheet application may drop or retype one of them on save.
"""

from __future__ import annotations

from dataclasses import dataclass

from ibc_xls import __version__

IDENTITY_SHEET = "Паспорт"
PROPERTY_PREFIX = "ibc_xls_"

# (field, Russian label on the identity sheet); the order is the sheet's row order.
FIELDS = (
    ("template", "Шаблон"),
    ("template_version", "Версия шаблона"),
    ("respondent_id", "Код респондента"),
    ("respondent", "Респондент"),
    ("class_name", "Класс"),
    ("school", "Школа"),
    ("academic_year", "Учебный год"),
    ("generator", "Создано программой"),
)


@dataclass(frozen=True)
class Identity:
    """Everything ``collect`` needs to know what a returned workbook is and who sent it."""

    template: str
    template_version: str
    respondent_id: str
    respondent: str
    class_name: str
    school: str
    academic_year: str
    generator: str = f"ibc-xls {__version__}"

    def properties(self) -> dict[str, str]:
        """Custom document properties, all strings."""
        return {PROPERTY_PREFIX + name: getattr(self, name) for name, _ in FIELDS}

    def rows(self) -> list[tuple[str, str, str]]:
        """Rows of the identity sheet: field, Russian label, value."""
        return [(name, label, getattr(self, name)) for name, label in FIELDS]


def template_version(forms) -> str:
    """``roadmap:1 documents:1``: every form of a workbook with its spec version."""
    return " ".join(f"{f.id}:{f.version}" for f in forms)
