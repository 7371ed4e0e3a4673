"""Rule documentation generated from the registry: `rules`, `explain`, docs/rules.md."""

from __future__ import annotations

import json
from collections.abc import Callable

from usmctl.core.errors import UsageError
from usmctl.output.formats import Command, pick, renderers
from usmctl.rules import ALL_RULES, find
from usmctl.rules.base import RuleMeta

_ORDER = [rule.meta() for rule in ALL_RULES]


def _table(metas: list[RuleMeta]) -> str:
    lines = ["| code | name | severity | summary |", "|---|---|---|---|"]
    for item in metas:
        lines.append(
            f"| [{item.code}](docs/rules.md#{item.anchor}) | `{item.name}` | "
            f"{item.severity.value} | {item.summary} |"
        )
    return "\n".join(lines) + "\n"


def rules_table() -> str:
    """The Markdown rule table embedded in the README."""
    return _table(_ORDER)


def _json(metas: list[RuleMeta]) -> str:
    data = [
        {
            "code": item.code,
            "name": item.name,
            "severity": item.severity.value,
            "summary": item.summary,
            "rationale": item.rationale,
            "remediation": item.remediation,
            "help_uri": item.help_uri,
        }
        for item in metas
    ]
    return json.dumps(data, indent=2) + "\n"


def _text(metas: list[RuleMeta]) -> str:
    width = max(len(item.name) for item in metas)
    return "".join(
        f"{item.code}  {item.name:<{width}}  {item.severity.value:<7}  {item.summary}\n"
        for item in metas
    )


RULE_RENDERERS: dict[str, Callable[[list[RuleMeta]], str]] = renderers(
    Command.RULES, {"json": _json, "markdown": _table, "text": _text}
)


def render_rules(output_format: str) -> str:
    """`usmctl rules` output."""
    return RULE_RENDERERS[pick(Command.RULES, output_format).name](_ORDER)


def render_explain(code_or_name: str) -> str:
    """`usmctl explain CODE` output."""
    rule = find(code_or_name)
    if rule is None:
        raise UsageError(f"no rule {code_or_name!r} (see `usmctl rules`)")
    item = rule.meta()
    parts = [
        f"{item.code} {item.name} [{item.severity.value}]",
        "",
        item.summary,
        "",
        "Rationale:",
        f"  {item.rationale}",
        "",
        "Remediation:",
        f"  {item.remediation}",
    ]
    if item.bad:
        parts += ["", "Bad:", *(f"  {line}" for line in item.bad.splitlines())]
    if item.good:
        parts += ["", "Good:", *(f"  {line}" for line in item.good.splitlines())]
    parts += ["", f"Documentation: {item.help_uri}"]
    return "\n".join(parts) + "\n"


def rules_document() -> str:
    """docs/rules.md: one section (and anchor) per rule."""
    out = [
        "# usmctl rules",
        "",
        "Generated from the rule registry by `python tools/readme_sync.py .`; do not edit by hand.",
        "",
        _table(_ORDER).replace("docs/rules.md#", "#"),
    ]
    for item in _ORDER:
        out += [
            f"## {item.code} {item.name}",
            "",
            f"**Severity:** {item.severity.value}. {item.summary}",
            "",
            f"**Rationale.** {item.rationale}",
            "",
            f"**Remediation.** {item.remediation}",
            "",
        ]
        if item.bad:
            out += ["Bad:", "", "```yaml", item.bad, "```", ""]
        if item.good:
            out += ["Good:", "", "```yaml", item.good, "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    sys.stdout.write(rules_document())
