"""Human output, ruff-style: ``path:line:col: CODE [severity] message (entity)``."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from usmctl.core.findings import Severity, counted, rule_url

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.findings.options import ReportOptions

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def render(result: RunResult, options: ReportOptions) -> str:
    """Findings grouped by file, then a summary line (and statistics)."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if options.color else text

    lines: list[str] = []
    previous_file: str | None = None
    if not options.quiet:
        for finding in result.findings:
            if previous_file is not None and finding.file != previous_file:
                lines.append("")
            previous_file = finding.file
            where = paint(f"{finding.file}:{finding.line}:{finding.column}:", _BOLD)
            code = paint(finding.code, _COLORS[finding.severity] + _BOLD)
            severity = paint(f"[{finding.severity.value}]", _COLORS[finding.severity])
            entity = paint(f" ({finding.entity})", _DIM) if finding.entity else ""
            lines.append(f"{where} {code} {severity} {finding.message}{entity}")
    if options.statistics:
        if lines:
            lines.append("")
        counts = Counter(
            (finding.code, finding.name, finding.severity) for finding in result.findings
        )
        for (code, name, severity), count in sorted(
            counts.items(), key=lambda item: (-item[1], item[0])
        ):
            url = rule_url(code, name)
            lines.append(
                f"{count:>5}  {code}  {name} [{severity.value}]" + (f"  {url}" if url else "")
            )
    if lines:
        lines.append("")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def summary_line(result: RunResult) -> str:
    """``Found 3 findings (2 errors, 1 warning) in 4 files.`` or ``All checks passed``."""
    files = counted(len(result.files), "file")
    extra = []
    if result.suppressed:
        extra.append(f"{result.suppressed} suppressed")
    if result.baselined:
        extra.append(f"{result.baselined} in baseline")
    if result.stale_baseline:
        extra.append(f"{result.stale_baseline} stale baseline entries")
    tail = f"; {', '.join(extra)}" if extra else ""
    if not result.findings:
        return f"All checks passed: no findings in {files}{tail}."
    counts = result.by_severity()
    parts = [
        counted(counts[severity.value], severity.value)
        for severity in Severity
        if counts[severity.value]
    ]
    return (
        f"Found {counted(len(result.findings), 'finding')} ({', '.join(parts)}) in {files}{tail}."
    )
