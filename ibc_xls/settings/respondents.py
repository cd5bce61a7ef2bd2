"""Who fills what: the respondents of a school and the forms in each one's workbook."""

from __future__ import annotations

from dataclasses import dataclass

from ibc_xls.forms.spec import FormSpec
from ibc_xls.forms.tomlcheck import bad_value
from ibc_xls.problems import IbcError
from ibc_xls.settings.config import CONFIG_NAME, Config
from ibc_xls.text import People

ROLE_TITLES = People.ROLE_TITLES


@dataclass(frozen=True)
class Respondent:
    """One person who receives a workbook."""

    id: str
    role: str
    name: str
    forms: tuple[FormSpec, ...]
    class_name: str = ""

    @property
    def label(self) -> str:
        """How the workbook addresses its respondent, in Russian."""
        if self.class_name:
            return People.LABEL_CLASS.format(class_name=self.class_name, name=self.name)
        return People.LABEL_ROLE.format(role=ROLE_TITLES[self.role], name=self.name)

    @property
    def file_stem(self) -> str:
        if self.class_name:
            return People.STEM_CLASS.format(class_name=self.class_name, name=self.name)
        return People.STEM_ROLE.format(role=ROLE_TITLES[self.role], name=self.name)


def expected_identities(config: Config) -> dict[str, tuple[str, str, str]]:
    """Respondent id → (role, name, class) as a blank for them says it: what a returned
    workbook's identity must agree with. Ids are made as ``respondents`` makes them."""
    result = {"ibc_head": ("ibc_head", config.ibc_head, ""),
              "director": ("director", config.director, "")}
    result.update({f"class_{c.name}": ("class_teacher", c.teacher, c.name)
                   for c in config.classes})
    return result


def forms_for(role: str, config: Config, specs: list[FormSpec]) -> tuple[FormSpec, ...]:
    """The forms a role fills: the configuration's list if it has one, else the specs'
    ``filled_by``; in spec order."""
    by_id = {s.id: s for s in specs}
    if role not in config.forms:
        return tuple(s for s in specs if role in s.filled_by)
    unknown = [f for f in config.forms[role] if f not in by_id]
    if unknown:
        raise IbcError(bad_value(str(config.root / CONFIG_NAME), f"forms.{role}",
                                 "unknown-form", unknown[0], forms=", ".join(by_id)))
    wanted = set(config.forms[role])
    return tuple(s for s in specs if s.id in wanted)


def respondents(config: Config, specs: list[FormSpec]) -> list[Respondent]:
    """The ИБЦ head, the director when they get a workbook of their own, and every class
    teacher, each with the forms of their role. Without a workbook of their own the director's
    forms go into the ИБЦ head's."""
    head_forms = forms_for("ibc_head", config, specs)
    director_forms = forms_for("director", config, specs)
    result = []
    if not config.director_workbook:
        extra = {f.id for f in director_forms}
        head_forms = tuple(s for s in specs if s in head_forms or s.id in extra)
    if head_forms:
        result.append(Respondent("ibc_head", "ibc_head", config.ibc_head, head_forms))
    if config.director_workbook and director_forms:
        result.append(Respondent("director", "director", config.director, director_forms))
    teacher_forms = forms_for("class_teacher", config, specs)
    if teacher_forms:
        result += [Respondent(f"class_{c.name}", "class_teacher", c.teacher, teacher_forms,
                              c.name) for c in config.classes]
    return result
