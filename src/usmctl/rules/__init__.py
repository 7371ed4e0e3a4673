"""The rule registry: an explicit, sorted tuple; lookups by code and by name."""

from __future__ import annotations

import functools

from usmctl.rules.base import Rule, RuleMeta
from usmctl.rules.governance import GOVERNANCE_RULES
from usmctl.rules.overlays import OVERLAY_RULES
from usmctl.rules.practices import PRACTICE_RULES
from usmctl.rules.processes import PROCESS_RULES
from usmctl.rules.profiles import PROFILE_RULES
from usmctl.rules.recursion import RECURSION_RULES
from usmctl.rules.services import SERVICE_RULES
from usmctl.rules.structure import STRUCTURE_RULES
from usmctl.rules.value_streams import VALUE_STREAM_RULES
from usmctl.rules.workflows import WORKFLOW_RULES

ALL_RULES: tuple[type[Rule], ...] = tuple(
    sorted(
        (
            *STRUCTURE_RULES,
            *PROFILE_RULES,
            *PROCESS_RULES,
            *WORKFLOW_RULES,
            *SERVICE_RULES,
            *GOVERNANCE_RULES,
            *OVERLAY_RULES,
            *PRACTICE_RULES,
            *RECURSION_RULES,
            *VALUE_STREAM_RULES,
        ),
        key=lambda rule: rule.code,
    )
)
BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}


@functools.cache
def meta(code: str) -> RuleMeta:
    """Metadata of a rule by code (raises KeyError for an unknown code).

    Read from the docstring when first asked for: a run asks for the codes it
    found, not for all of them (5 ms of a cold start)."""
    return BY_CODE[code].meta()


def find(code_or_name: str) -> type[Rule] | None:
    """A rule by code (any case) or by kebab name."""
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())
