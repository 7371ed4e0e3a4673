"""Convert the usm.tools workflow templates into USM-WIF test fixtures.

Development script, not shipped. The usm.tools project
(github.com/mikko-ahonen/usmtools) publishes the eight USM workflow templates
as Django fixtures (``fixtures/workflow-templates-{en,nl}.json``): routines,
each with steps (``index``, ``name``, ``process``) where a step may ``fork``
into another routine, which runs to its end and hands back after the forking
step. This script flattens the forks and writes one USM-WIF file per routine,
keeping only facts: the step names and processes (no activity descriptions,
no RACI text). Each step is given to the owner of its process (``R``, ``A``),
an operator of the test architecture around the files.

    git -C <usmtools clone> show HEAD:fixtures/workflow-templates-en.json > en.json
    git -C <usmtools clone> show HEAD:fixtures/workflow-templates-nl.json > nl.json
    python tools/usmtools_to_wif.py en.json nl.json tests/fixtures/usmtools

The nl file's forks point at routines by the en file's primary keys: a fork is
resolved by primary key across both files, then to the routine of the same
``index`` in the file being converted.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

PROVIDER = "usmtools-it"
OWNERS = {
    "agree": "service-level-manager",
    "change": "change-manager",
    "recover": "incident-manager",
    "operate": "operations-manager",
    "improve": "improvement-manager",
}


def _records(path: Path, model: str) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [record for record in data if record["model"] == f"workflows.{model}"]


def _flatten(
    routine: str,
    steps: dict[str, list[dict[str, Any]]],
    resolve: dict[str, str],
    seen: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """(name, process) of a routine's steps with every fork run in place."""
    if routine in seen:
        raise ValueError(f"fork cycle through routine {routine}")
    out: list[tuple[str, str]] = []
    for step in sorted(steps[routine], key=lambda record: record["index"]):
        out.append((step["name"].strip(), step["process"]))
        if step["fork"]:
            out += _flatten(resolve[step["fork"]], steps, resolve, (*seen, routine))
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def convert(language_file: Path, all_files: list[Path], out_dir: Path) -> None:
    """Write the USM-WIF files of one language."""
    routines = {r["pk"]: r["fields"] for r in _records(language_file, "routine")}
    by_index = {fields["index"]: pk for pk, fields in routines.items()}
    # A fork's primary key, in any of the files, -> this file's routine of that index.
    resolve: dict[str, str] = {}
    for path in all_files:
        for record in _records(path, "routine"):
            resolve[record["pk"]] = by_index[record["fields"]["index"]]
    steps: dict[str, list[dict[str, Any]]] = {pk: [] for pk in routines}
    for record in _records(language_file, "step"):
        steps[record["fields"]["routine"]].append(record["fields"])
    out_dir.mkdir(parents=True, exist_ok=True)
    slugs: list[str] = []
    for pk, fields in sorted(routines.items(), key=lambda item: item[1]["index"]):
        flat = _flatten(pk, steps, resolve)
        slug = f"{fields['index']}-{_slug(fields['name'])}"
        slugs.append(slug)
        document = {
            "format-version": "1.0.0",
            "process": flat[0][1],
            "dynamicity": "static",
            "type": "workflow",
            "context": PROVIDER,
            "slug": slug,
            "name": fields["name"].strip(),
            "steps": [
                {
                    "id": str(number),
                    "sort-index": number,
                    "name": name,
                    "process": process,
                    "activities": [
                        {
                            "id": "1",
                            "sort-index": 1,
                            "responsibilities": {OWNERS[process]: ["R", "A"]},
                        }
                    ],
                }
                for number, (name, process) in enumerate(flat, start=1)
            ],
        }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        (out_dir / f"{slug}.workflow.json").write_text(text, encoding="utf-8")
    (out_dir / "architecture.usm.yaml").write_text(_architecture(slugs), encoding="utf-8")


def _architecture(slugs: list[str]) -> str:
    """The architecture around the workflows (ours, not usm.tools')."""
    owners = "\n".join(
        f"  - {{id: {owner}, kind: operator, of: {PROVIDER}}}" for owner in OWNERS.values()
    )
    processes = "\n".join(
        f"  - {{provider: {PROVIDER}, process: {process}, owner: {owner}}}"
        for process, owner in OWNERS.items()
        if process != "improve"
    )
    handles = "\n".join(f"      - {slug}" for slug in slugs)
    return f"""# Generated by tools/usmtools_to_wif.py: a small architecture around the
# eight usm.tools workflow templates (the *.workflow.json files beside it).
usm: "1"
architecture:
  id: usmtools-check
  name: The usm.tools workflow templates in one provider
profiles:
  - {{id: usmtools-business, kind: customer}}
  - {{id: {PROVIDER}, kind: provider}}
{owners}
processes:
{processes}
  - provider: {PROVIDER}
    process: improve
    owner: {OWNERS["improve"]}
    inputs: [{slugs[2]}, {slugs[3]}]
services:
  - id: workplace
    provider: {PROVIDER}
    customers: [usmtools-business]
    agreement: sa-workplace
    facility:
      description: Laptops, office software and accounts ready for use
    support:
      description: Help with the use of the workplace
agreements:
  - id: sa-workplace
    provider: {PROVIDER}
    customer: usmtools-business
    services: [workplace]
    request_types: [wish, request-for-change, service-request, incident]
tools:
  - id: workflow-tool
    product: usm.tools
    used_by: [{PROVIDER}]
    handles:
{handles}
"""


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    en, nl, out = Path(argv[0]), Path(argv[1]), Path(argv[2])
    convert(en, [en, nl], out / "en")
    convert(nl, [en, nl], out / "nl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
