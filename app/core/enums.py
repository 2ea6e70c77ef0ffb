"""String enums whose members carry a translated label."""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class LabelledEnum(StrEnum):
    """A StrEnum with a translated ``label`` per member.

    Subclasses implement ``_labels`` (a classmethod, so it is not a member)
    returning ``{member: _l("...")}``; labels are resolved at display time.
    """

    @classmethod
    def _labels(cls) -> Mapping[str, object]:
        return {}

    @property
    def label(self) -> str:
        return str(type(self)._labels().get(self, self.value))

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for select fields, in definition order."""
        return [(m.value, m.label) for m in cls]
