"""Factories: architecture files on disk, checked results, hand-built findings."""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Callable
from pathlib import Path

from usmctl.api import check
from usmctl.check.result import RunResult
from usmctl.check.settings import Settings
from usmctl.core.findings import Finding, Severity, fingerprint

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_MARKDOWN = "`code` | [link](javascript:alert(1)) *bold* _it_"

SMALL = """\
usm: "1"
architecture: {id: small, name: Small shop, domain: retail}
profiles:
  - {id: shoppers, kind: customer, name: Shoppers}
  - {id: shop-it, kind: provider, name: Shop IT}
  - {id: hoster, kind: supplier, name: Hoster, external: true}
  - {id: manager, kind: operator, of: shop-it, name: Manager}
processes:
  - {provider: shop-it, process: agree, owner: manager}
  - {provider: shop-it, process: recover}
services:
  - id: webshop
    name: Web shop
    provider: shop-it
    customers: [shoppers]
    agreement: sa-webshop
    facility: {description: An online shop}
    support: {description: Help with orders, hours: "24/7"}
    depends_on: [hosting]
  - id: hosting
    name: Hosting
    provider: hoster
    customers: [shop-it]
    agreement: ct-hosting
    facility: {description: Servers}
    support: {description: Help with servers}
agreements:
  - {id: sa-webshop, provider: shop-it, customer: shoppers, services: [webshop]}
  - {id: ct-hosting, kind: contract, provider: hoster, customer: shop-it, services: [hosting]}
workflows:
  - id: wf-incident
    provider: shop-it
    type: incident
    owner_process: recover
    steps:
      - {name: Restore, process: recover, responsibilities: {manager: [R, A]}}
  - id: wf-wish
    provider: shop-it
    type: wish
    owner_process: agree
    steps:
      - {name: Change first, process: change, responsibilities: {manager: [R, A]}}
      - {name: Agree later, process: agree, responsibilities: {manager: [R, A]}}
practices:
  - {id: itil, name: ITIL incident, framework: ITIL 4, plugs_into: {processes: [recover]}}
tools:
  - {id: desk, product: Freshdesk, used_by: [shop-it], handles: [wf-incident]}
governance:
  - {id: pol-eu, kind: policy, statement: Data stays in the EU, applies_to: [webshop],
     enforced_by: [shop-it:agree]}
"""


def write(root: Path, text: str, name: str = "arch.usm.yaml") -> Path:
    """Write one architecture file under ``root``; return ``root``."""
    (root / name).write_text(text, encoding="utf-8")
    return root


def finding(
    code: str,
    message: str,
    *,
    path: str,
    entity: str | None,
    severity: Severity = Severity.ERROR,
    file: str = "arch.usm.yaml",
    line: int = 1,
    column: int = 1,
    name: str | None = None,
) -> Finding:
    """A hand-built finding (its rule name defaults to the code in lower case)."""
    return Finding(
        code=code,
        name=name or code.lower(),
        severity=severity,
        message=message,
        file=file,
        line=line,
        column=column,
        entity=entity,
        path=path,
        fingerprint=fingerprint(code, file, entity, path),
    )


def with_findings(result: RunResult, *findings: Finding) -> RunResult:
    """The same architecture with exactly these findings."""
    return dataclasses.replace(result, findings=tuple(findings))


def checked(root: Path, settings: Settings | None = None) -> RunResult:
    """Check every file under ``root``, paths reported relative to it."""
    return check(["."], settings or Settings(), cwd=root)


def located(result: RunResult) -> list[str]:
    """Findings as ``file:line:col CODE`` strings, in report order."""
    return [f"{f.file}:{f.line}:{f.column} {f.code}" for f in result.findings]


WriteFiles = Callable[[dict[str, str]], Path]


def file_writer(root: Path) -> WriteFiles:
    """A function writing ``{relative name: dedented text}`` under ``root``
    (folders made as needed); it returns ``root``."""

    def write_files(files: dict[str, str]) -> Path:
        for name, text in files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return write_files


def many_parties(customers: int = 20, providers: int = 20, suppliers: int = 10) -> str:
    """An architecture of ``customers + providers + suppliers`` parties.

    Every provider serves two customers and depends on one supplier service;
    every supplier serves the providers that use it.
    """
    lines = ['usm: "1"', "architecture: {id: big, name: Big federation, domain: it}", "profiles:"]
    lines += [
        f"  - {{id: c{i:02}, kind: customer, name: Customer {i:02}}}" for i in range(customers)
    ]
    lines += [
        f"  - {{id: p{i:02}, kind: provider, name: Provider {i:02}}}" for i in range(providers)
    ]
    lines += [
        f"  - {{id: s{i:02}, kind: supplier, name: Supplier {i:02} with a long name, "
        "external: true}"
        for i in range(suppliers)
    ]
    lines.append("services:")
    for i in range(providers):
        served = f"c{i % customers:02}, c{(i + 1) % customers:02}"
        lines.append(
            f"  - {{id: svc-p{i:02}, name: Service of provider {i:02}, provider: p{i:02}, "
            f"customers: [{served}], depends_on: [svc-s{i % suppliers:02}]}}"
        )
    for i in range(suppliers):
        users = ", ".join(f"p{j:02}" for j in range(providers) if j % suppliers == i)
        lines.append(
            f"  - {{id: svc-s{i:02}, name: Supplier service {i:02}, provider: s{i:02}, "
            f"customers: [{users}]}}"
        )
    return "\n".join(lines) + "\n"
