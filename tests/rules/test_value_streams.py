"""USM906 reads a workflow's trigger from the active catalogue, not from its type id."""

from __future__ import annotations

from pathlib import Path

from usmctl.api import check
from usmctl.check.settings import Settings

CATALOGUE = """\
usm-catalogue: "1"
workflow_types:
  - {id: desk-call, kind: reactive, trigger: incident, path: [recover]}
  - {id: desk-order, kind: reactive, trigger: service-request, path: [operate]}
"""

ARCHITECTURE = """\
usm: "1"
profiles:
  - {id: acme-it, kind: provider}
  - {id: acme-business, kind: customer}
services:
  - {id: workplace, provider: acme-it, customers: [acme-business], agreement: sa-workplace}
agreements:
  - id: sa-workplace
    provider: acme-it
    customer: acme-business
    services: [workplace]
    request_types: [service-request]
workflows:
  - {id: it-call, provider: acme-it, type: desk-call}
  - {id: it-order, provider: acme-it, type: desk-order}
value_streams:
  - id: vs-office
    customer: acme-business
    stages:
      - {name: Order, service: workplace, workflow: it-order}
      - {name: Call the desk, service: workplace, workflow: it-call}
"""


def test_request_type_comes_from_the_catalogue_trigger(tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    (tmp_path / "a.usm.yaml").write_text(ARCHITECTURE, encoding="utf-8")
    result = check(["."], Settings(catalogue=catalogue, use_cache=False), cwd=tmp_path)
    found = [(f.line, f.message) for f in result.findings if f.code == "USM906"]
    assert found == [
        (
            21,
            'value stream "vs-office": stage "Call the desk" runs workflow "it-call", '
            'triggered by "incident", but agreement "sa-workplace" between "acme-it" and '
            '"acme-business" lists only "service-request" in request_types, expected '
            '"incident" among them',
        )
    ]
