"""What custom rules v2 cost (docs/custom-rules.md): the three examples of the
document on a generated architecture, and the JSONPath library beside
jsonpath-ng when that is installed (it is not a dependency).

    python benchmarks/custom_rules.py [--services 5000] [--runs 3]

CPU time (``time.process_time``) of the custom rules alone (the engine's
``custom_rules.check``) and of the whole in-process check, medians of
``--runs``; the architecture: ``--services`` services (one in seven named in
lower case), an external supplier with a contract per ten services (two
request types each), an XLA overlay measuring every other service.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def architecture(services: int) -> str:
    lines = [
        'usm: "1"',
        "profiles:",
        "  - {id: acme-it, kind: provider}",
        "  - {id: acme-business, kind: customer}",
        "  - {id: liftco, kind: supplier, external: true}",
        "services:",
    ]
    for number in range(services):
        name = "service" if number % 7 == 0 else "Service"
        lines += [
            f"  - id: s{number}",
            f"    name: {name} {number}",
            "    provider: acme-it",
            "    customers: [acme-business]",
            "    support: {description: Help, hours: 9-5, channels: [portal, phone]}",
        ]
    lines.append("agreements:")
    lines += [
        f"  - {{id: ct{number}, kind: contract, provider: liftco, customer: acme-it, "
        "request_types: [wish, incident]}"
        for number in range(services // 10)
    ]
    lines += ["overlays:", "  - id: xla", "    kind: xla", "    binds_to: [acme-it]"]
    lines.append("    indicators:")
    lines += [
        f"      - {{name: I{number}, service: s{number}, target: high}}"
        for number in range(0, services, 2)
    ]
    return "\n".join(lines) + "\n"


def documented_rules() -> str:
    """The rule set of docs/custom-rules.md's examples."""
    text = (ROOT / "docs" / "custom-rules.md").read_text(encoding="utf-8")
    parts = re.split(r"^## Example: ", text, flags=re.MULTILINE)[1:]
    blocks = [re.search(r"```yaml\n(.*?)```", part, re.DOTALL) for part in parts]
    return "".join(block.group(1) for block in blocks if block is not None)


def median_cpu(action: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        action()
        times.append(time.process_time() - start)
    return statistics.median(times)


def check_cost(services: int, runs: int) -> None:
    from usmctl.api import check
    from usmctl.check import engine
    from usmctl.check.config import CliOptions, build_settings

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "big.usm.yaml").write_text(architecture(services), encoding="utf-8")
        (root / "house.yaml").write_text(documented_rules(), encoding="utf-8")
        (root / "with.toml").write_text('select = ["USM0", "HOUSE"]\nrulesets = ["house.yaml"]\n')
        (root / "without.toml").write_text('select = ["USM0"]\n')
        original = engine.custom_rules.check
        spent: list[float] = []

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            found = original(*args, **kwargs)
            spent.append(time.process_time() - start)
            return found

        engine.custom_rules.check = timed  # type: ignore[assignment]
        try:
            for name in ("without", "with"):
                options = CliOptions(config=root / f"{name}.toml", no_cache=True)
                settings = build_settings(options, cwd=root)
                spent.clear()
                total = median_cpu(lambda s=settings: check(["."], s, cwd=root), runs)
                findings = len(check(["."], settings, cwd=root).findings)
                rules = statistics.median(spent) if spent else 0.0
                print(
                    f"{services:,} services, {name:7s} the rules: check {total:.2f} s CPU, "
                    f"custom rules {rules:.2f} s CPU, {findings:,} findings"
                )
        finally:
            engine.custom_rules.check = original


def library_cost(services: int, runs: int) -> None:
    try:
        from jsonpath_ng.ext import parse as ng_parse  # type: ignore[import-not-found]
    except ImportError:
        print("jsonpath-ng is not installed: no comparison (pip install jsonpath-ng)")
        return
    import jsonpath

    document = {
        "services": [
            {"id": f"s{n}", "name": f"Service {n}", "support": {"hours": "9-5"}}
            for n in range(services)
        ],
        "agreements": [
            {"id": f"a{n}", "kind": "contract" if n % 3 == 0 else "agreement"}
            for n in range(services)
        ],
    }
    queries = {
        "names": ("$.services[*].name", "$.services[*].name"),
        "filter": ("$.agreements[?@.kind == 'contract']", "$.agreements[?(@.kind == 'contract')]"),
        "descent": ("$..hours", "$..hours"),
    }
    for label, (ours, theirs) in queries.items():
        mine = median_cpu(lambda q=ours: [m.parts for m in jsonpath.finditer(q, document)], runs)
        other = median_cpu(
            lambda q=theirs: [str(m.full_path) for m in ng_parse(q).find(document)], runs
        )
        print(
            f"{label:8s} python-jsonpath {mine * 1000:7.0f} ms   jsonpath-ng {other * 1000:7.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    check_cost(args.services, args.runs)
    library_cost(args.services, args.runs)


if __name__ == "__main__":
    main()
