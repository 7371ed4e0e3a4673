"""The levels of the supply chain (the picture's columns) and the Graphviz
ranks that refine them."""

from __future__ import annotations

import pytest

from tests.support.factories import checked
from tests.support.paths import EXAMPLES
from usmctl.output.report.content import graph_data


def test_the_example_has_a_column_per_level_of_the_recursion() -> None:
    nodes, _ = graph_data(checked(EXAMPLES / "siam-multi-provider"))
    level = {node.name: node.level for node in nodes}
    assert level["profile:claims-department"] == level["profile:globex-business"] == 0
    assert level["profile:globex-it"] == 1
    assert level["profile:claims-app-team"] == level["profile:netlink"] == 2
    # CloudCo supplies Globex IT and the claims team, which supplies Globex IT:
    # a sub-supplier, never beside a party it supplies.
    assert level["profile:cloudco"] == 3
    # A service stands in its provider's column.
    assert level["service:claims-platform"] == level["service:digital-workplace"] == 1
    assert level["service:cloud-hosting"] == level["service:ci-hosting"] == 3


def test_customers_stay_left_and_other_parties_right_of_them() -> None:
    nodes, _ = graph_data(checked(EXAMPLES / "broken"))
    level = {node.name: node.level for node in nodes}
    assert level["profile:lonely-provider"] == 1  # a provider without services
    assert level["profile:idle-customer"] == 0
    # A customer that provides a service (a defect) keeps it beside it.
    assert level["profile:acme-business"] == level["service:gardening"] == 0


@pytest.mark.parametrize("example", ["siam-multi-provider", "hospital-facilities", "broken"])
def test_graphviz_ranks_follow_the_levels(example: str) -> None:
    nodes, _ = graph_data(checked(EXAMPLES / example))
    for one in nodes:
        for two in nodes:
            if one.level < two.level:
                assert one.layer < two.layer, (one.name, two.name)
