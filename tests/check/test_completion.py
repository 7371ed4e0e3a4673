"""Completion: the context at a cursor, read from text being typed, and the
candidates an architecture and its catalogue offer there."""

from __future__ import annotations

import pytest

from usmctl.api import check
from usmctl.check.completion import Candidate, Context, candidates, context_at
from usmctl.check.settings import Settings
from usmctl.model.catalogue import Catalogue, load_catalogue
from usmctl.model.usm import PROCESSES
from usmctl.rules.indexes import Indexes

ARCHITECTURE = """\
usm: "1"
profiles:
  - {id: shoppers, kind: customer, name: Shoppers}
  - {id: shop-it, kind: provider, name: Shop IT}
  - {id: hoster, kind: supplier, name: Hoster}
  - {id: manager, kind: operator, of: shop-it}
  - {id: racker, kind: operator, of: hoster}
processes:
  - {provider: shop-it, process: recover, owner: manager}
services:
  - id: webshop
    name: Web shop
    provider: shop-it
    customers: [shoppers]
  - id: hosting
    provider: hoster
workflows:
  - id: wf-incident
    provider: shop-it
    type: incident
"""


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Indexes:
    root = tmp_path_factory.mktemp("completion")
    (root / "arch.usm.yaml").write_text(ARCHITECTURE, encoding="utf-8")
    result = check(["."], Settings(), cwd=root)
    assert result.architecture is not None
    return Indexes(result.architecture)


class Offer:
    """Labels offered at the ``|`` of a text."""

    def __init__(self, indexes: Indexes, catalogue: Catalogue) -> None:
        self.indexes, self.catalogue = indexes, catalogue

    def __call__(self, text: str) -> list[str]:
        context = cursor(text)
        assert context is not None
        found = candidates(context, indexes=self.indexes, catalogue=self.catalogue)
        return [candidate.label for candidate in found]


@pytest.fixture(scope="module")
def offered(indexes: Indexes) -> Offer:
    return Offer(indexes, load_catalogue())


def cursor(text: str) -> Context | None:
    """The context at the ``|`` of ``text`` (which is removed)."""
    index = text.index("|")
    text = text.replace("|", "", 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return context_at(text, line, column)


SERVICE = ("services", "[]")

# -- the context -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "at_key", "prefix"),
    [
        ("services:\n  - id: x\n    provider: |", ("services", "[]", "provider"), False, ""),
        ("services:\n  - id: x\n    provider: sh|\n", ("services", "[]", "provider"), False, "sh"),
        ("services:\n  - id: x\n    prov|\n    name: y\n", ("services", "[]"), True, "prov"),
        ("services:\n- id: x\n  |\n", ("services", "[]"), True, ""),
        ("services:\n  - id: x\n    customers: [a, |", (*SERVICE, "customers", "[]"), False, ""),
        ("services:\n- id: x\n  customers:\n  - a\n  - |", (*SERVICE, "customers", "[]"), True, ""),
        ("profiles:\n  - {id: d, kind: operator, of: |", ("profiles", "[]", "of"), False, ""),
        ("profiles:\n  - {id: d, ki|", ("profiles", "[]"), True, "ki"),
        (
            "workflows:\n  - id: w\n    steps:\n      - name: a\n\n        process: rec|",
            ("workflows", "[]", "steps", "[]", "process"), False, "rec",
        ),
        (
            "workflows:\n  - id: w\n    steps:\n      - {name: R, responsibilities: {m: [R, |",
            ("workflows", "[]", "steps", "[]", "responsibilities", "m", "[]"), False, "",
        ),
        ('usm: "1"\n|\n', (), True, ""),
    ],
)  # fmt: skip
def test_the_context_of_text_being_typed(
    text: str, path: tuple[str, ...], at_key: bool, prefix: str
) -> None:
    context = cursor(text)
    assert context is not None
    assert (context.path, context.at_key, context.prefix) == (path, at_key, prefix)


def test_the_context_knows_the_keys_written_and_the_entity() -> None:
    context = cursor("services:\n  - id: x\n    provider: p\n    |\n    name: y\n  - id: z\n")
    assert context is not None
    assert context.present == {"id", "provider", "name"}
    assert context.entity == {"id": "x", "provider": "p"}
    assert context.start == 5


def test_no_completion_in_a_comment() -> None:
    assert cursor("services:\n  - id: x  # see |\n") is None


# -- the candidates ----------------------------------------------------------------


def test_a_services_provider_is_a_provider_or_a_supplier(offered: Offer) -> None:
    assert offered("services:\n  - id: x\n    provider: |") == ["shop-it", "hoster"]
    assert offered("services:\n  - id: x\n    provider: ho|") == ["hoster"]


def test_customers_are_parties_and_a_service_does_not_depend_on_itself(offered: Offer) -> None:
    assert offered("services:\n  - id: x\n    customers: [|") == ["shoppers", "shop-it", "hoster"]
    assert offered("services:\n  - id: hosting\n    depends_on:\n      - |") == ["webshop"]


def test_an_operator_is_of_a_provider(offered: Offer) -> None:
    assert offered("profiles:\n  - {id: d, kind: operator, of: |") == ["shop-it", "hoster"]


def test_ids_carry_their_kind_name_and_file(indexes: Indexes, offered: Offer) -> None:
    context = cursor("services:\n  - id: x\n    provider: shop|")
    assert context is not None
    assert candidates(context, indexes=indexes, catalogue=offered.catalogue) == [
        Candidate("shop-it", "id", "provider Shop IT (arch.usm.yaml)")
    ]


def test_enum_values(offered: Offer) -> None:
    steps = "workflows:\n  - id: w\n    steps:\n      - name: a\n        "
    assert offered(steps + "process: |") == list(PROCESSES)
    assert offered("workflows:\n  - id: w\n    type: |") == list(offered.catalogue.ids)
    assert offered(steps + "responsibilities: {manager: [R, |") == ["R", "A", "C", "I"]
    assert offered("profiles:\n  - {id: d, kind: |") == [
        "customer",
        "provider",
        "supplier",
        "operator",
    ]
    assert offered("agreements:\n  - id: a\n    kind: |") == ["agreement", "contract"]
    assert offered("agreements:\n  - id: a\n    request_types: [wish, |")[:1] == ["wish"]
    assert offered("profiles:\n  - {id: d, external: |") == ["true", "false"]


def test_a_raci_table_names_the_operators_of_the_workflows_provider(offered: Offer) -> None:
    text = (
        "workflows:\n  - id: w\n    provider: hoster\n    steps:\n"
        "      - responsibilities:\n          |"
    )
    assert offered(text) == ["racker"]
    known = "workflows:\n  - id: wf-incident\n    steps:\n      - responsibilities:\n          |"
    assert offered(known) == ["manager"]  # the provider of the workflow declared


def test_process_references_offer_entries(offered: Offer) -> None:
    assert offered("processes:\n  - provider: shop-it\n    inputs: [|") == [
        "shop-it:recover", "wf-incident", "webshop", "hosting",
    ]  # fmt: skip
    assert offered("practices:\n  - id: p\n    plugs_into:\n      processes: [|") == [
        *PROCESSES, "shop-it:recover",
    ]  # fmt: skip


def test_keys_not_yet_written(offered: Offer) -> None:
    keys = offered("services:\n  - id: x\n    |\n    provider: p\n")
    assert "id" not in keys and "provider" not in keys
    assert {"name", "customers", "facility", "support", "depends_on"} <= set(keys)
    assert offered("services:\n  - id: x\n    facility:\n      |") == [
        "description",
        "goods",
        "actions",
    ]
    assert offered('usm: "1"\npro|') == ["profiles", "processes"]
    assert offered("services:\n  - |")[:2] == ["id", "name"]


def test_nothing_where_the_model_has_no_such_field(offered: Offer) -> None:
    assert offered("services:\n  - id: x\n    colour: |") == []
    assert offered("nonsense:\n  - |") == []
