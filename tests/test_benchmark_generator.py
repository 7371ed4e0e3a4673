"""The benchmark generator writes architectures that validate clean (issue 6)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from usmctl.api import check
from usmctl.check.settings import Settings
from usmctl.core.findings import Severity

GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"


def test_a_small_generated_architecture_has_no_error_findings(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("usm_benchmark_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    out = tmp_path / "arch"
    written = generator.generate(out, services=130, per_provider=20, chain=3)
    assert len(written) == 1 + 7  # the shared file and one per provider
    result = check(["."], Settings(use_cache=False), cwd=out)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert errors == []
    assert len(result.architecture.services) == 130
    assert len(result.architecture.workflows) == 7 * 8
