"""Regenerate the generated parts of README.md, docs/rules.md, docs/cli.md and
docs/format.md (development aid).

Run from a checkout with usmctl installed: ``python tools/readme_sync.py .``
(not part of the wheel).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from usmctl.cli.reference import cli_reference
from usmctl.model.schema import reference
from usmctl.output.rule_docs import rules_document, rules_table


def _replace(text: str, name: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
    return pattern.sub(lambda match: match.group(1) + body + match.group(2), text)


def main(root: Path) -> None:
    """Write the rules table and the broken example's output into the README."""
    readme_path = root / "README.md"
    readme = _replace(readme_path.read_text(encoding="utf-8"), "rules", rules_table())
    broken = subprocess.run(
        [sys.executable, "-m", "usmctl", "validate", "examples/broken"],
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    ).stdout
    readme = _replace(readme, "broken-output", f"```text\n{broken}```\n")
    readme_path.write_text(readme, encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "rules.md").write_text(rules_document(), encoding="utf-8")
    cli_path = root / "docs" / "cli.md"
    cli = _replace(cli_path.read_text(encoding="utf-8"), "cli", cli_reference())
    cli_path.write_text(cli, encoding="utf-8")
    format_path = root / "docs" / "format.md"
    fields = _replace(format_path.read_text(encoding="utf-8"), "fields", reference())
    format_path.write_text(fields, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
