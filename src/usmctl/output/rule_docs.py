"""Rule documentation generated from the registry: `rules`, `explain`, docs/rules.md."""

from __future__ import annotations

import json
from collections.abc import Callable

from usmctl.check.result import checks, custom_meta
from usmctl.check.settings import CustomRule
from usmctl.core.errors import UsageError
from usmctl.core.findings import printable
from usmctl.output.formats import Command, pick, renderers
from usmctl.rules import ALL_RULES, find
from usmctl.rules.base import RuleMeta

_ORDER = [rule.meta() for rule in ALL_RULES]


def _table(metas: list[RuleMeta]) -> str:
    lines = ["| code | name | severity | summary |", "|---|---|---|---|"]
    for item in metas:
        code, summary = f"[{item.code}](docs/rules.md#{item.anchor})", item.summary
        if item.defined_in is not None:
            code = f"[{item.code}]({item.url})" if item.url else item.code
            summary = summary.replace("|", "\\|") + f" (custom rule, `{item.defined_in}`)"
        lines.append(f"| {code} | `{item.name}` | {item.severity.value} | {summary} |")
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
            **({} if item.defined_in is None else {"defined_in": item.defined_in}),
        }
        for item in metas
    ]
    return json.dumps(data, indent=2) + "\n"


def _text(metas: list[RuleMeta]) -> str:
    width = max(len(item.name) for item in metas)
    return "".join(
        f"{item.code}  {item.name:<{width}}  {item.severity.value:<7}  {item.summary}"
        + ("" if item.defined_in is None else f"  [custom: {item.defined_in}]")
        + "\n"
        for item in metas
    )


RULE_RENDERERS: dict[str, Callable[[list[RuleMeta]], str]] = renderers(
    Command.RULES, {"json": _json, "markdown": _table, "text": _text}
)


def render_rules(output_format: str, custom: tuple[CustomRule, ...] = ()) -> str:
    """`usmctl rules` output: the built-in rules, then the config's custom rules."""
    renderer = RULE_RENDERERS[pick(Command.RULES, output_format).name]
    return renderer(_ORDER + [custom_meta(rule) for rule in custom])


def render_explain(code_or_name: str, custom: tuple[CustomRule, ...] = ()) -> str:
    """`usmctl explain CODE` output (a custom rule's too)."""
    rule = find(code_or_name)
    if rule is None:
        for each in custom:
            if code_or_name.upper() == each.code or code_or_name.lower() == each.rule_name:
                return _explain_custom(each)
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


def _explain_custom(rule: CustomRule) -> str:
    item = custom_meta(rule)
    parts = [
        f"{item.code} {item.name} [{item.severity.value}] (custom rule from {item.defined_in})"
    ]
    if rule.description:
        lines = rule.description.strip().splitlines()
        parts += ["", *(printable(line) for line in lines)]
    parts += ["", "Checks:", f"  {printable(checks(rule))}", "", "Message:"]
    parts.append(f"  {printable(rule.message)}")
    if item.help_uri:
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
