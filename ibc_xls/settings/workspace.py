"""``ibc-xls init``: a working folder for a school, with an example configuration for
МОУ «СОШ №4», the form specs to edit, and the folders for workbooks. Nothing a user has
already edited is ever overwritten."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from ibc_xls.forms.spec import DEFAULT_TEMPLATES
from ibc_xls.settings.config import CONFIG_NAME, DEFAULT_FOLDERS
from ibc_xls.text import Workspace

EXAMPLE_CLASSES = [
    ("1А", "Смирнова Ольга Викторовна", 26), ("1Б", "Кузьмина Наталья Сергеевна", 25),
    ("2А", "Попова Татьяна Ивановна", 27), ("2Б", "Лебедева Ирина Александровна", 24),
    ("3А", "Новикова Светлана Петровна", 26), ("3Б", "Морозова Елена Николаевна", 25),
    ("4А", "Волкова Марина Юрьевна", 28), ("4Б", "Соловьёва Галина Михайловна", 23),
    ("5А", "Васильева Анна Андреевна", 27), ("5Б", "Зайцев Дмитрий Олегович", 26),
    ("6А", "Павлова Юлия Владимировна", 25), ("6Б", "Семёнова Людмила Борисовна", 24),
    ("7А", "Голубева Вера Анатольевна", 26), ("7Б", "Виноградов Сергей Петрович", 25),
    ("8А", "Богданова Надежда Ивановна", 24), ("8Б", "Воробьёва Оксана Геннадьевна", 23),
    ("9А", "Фёдорова Лариса Викторовна", 25), ("9Б", "Михайлов Алексей Игоревич", 22),
    ("10А", "Беляева Екатерина Сергеевна", 21), ("11А", "Тарасова Валентина Павловна", 20),
]


def current_academic_year(today: dt.date) -> int:
    """The year the current academic year began (it runs 1 September – 31 August)."""
    return today.year if today.month >= 9 else today.year - 1


def example_config(academic_year: int) -> str:
    """The configuration ``init`` writes: a realistic МОУ «СОШ №4», commented in Russian."""
    classes = "\n".join(
        f'[[classes]]\nname = "{name}"\nteacher = "{teacher}"\npupils = {pupils}\n'
        for name, teacher, pupils in EXAMPLE_CLASSES)
    folders = "\n".join(f'{key} = "{value}"' for key, value in DEFAULT_FOLDERS.items())
    return Workspace.EXAMPLE_CONFIG.format(academic_year=academic_year, folders=folders,
                                           classes=classes)


@dataclass(frozen=True)
class InitResult:
    root: Path
    created: tuple[Path, ...]
    kept: tuple[Path, ...]

    @property
    def templates(self) -> Path:
        """The folder of the form specs a school may edit."""
        return self.root / DEFAULT_FOLDERS["templates"]


def init_workspace(root: Path, today: dt.date | None = None) -> InitResult:
    """Create the working folder ``root``; keep every file that is already there."""
    root.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    kept: list[Path] = []
    config = root / CONFIG_NAME
    year = current_academic_year(today or dt.date.today())
    try:
        with config.open("x", encoding="utf-8", newline="\n") as f:
            f.write(example_config(year))
        created.append(config)
    except FileExistsError:
        kept.append(config)
    for key, name in DEFAULT_FOLDERS.items():
        folder = root / name
        if folder.is_dir():
            kept.append(folder)
            continue
        folder.mkdir(parents=True)
        created.append(folder)
        if key == "templates":
            for spec in sorted(DEFAULT_TEMPLATES.glob("*.toml")):
                shutil.copyfile(spec, folder / spec.name)
    return InitResult(root, tuple(created), tuple(kept))
