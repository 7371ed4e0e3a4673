"""The built-in catalogue: trusted at run time, validated here."""

from __future__ import annotations

from usmctl.load.yamlio import parse_side_file
from usmctl.model.catalogue import BUILT_IN, CatalogueFile, load_catalogue
from usmctl.model.usm import read_catalogue


def test_the_built_in_catalogue_is_valid_and_loads_as_validated() -> None:
    """`load_catalogue` builds the package's own catalogue without validating
    it (a cold start skips the models' set-up): it must validate, and give
    what validating gives."""
    _, data = parse_side_file(read_catalogue(None), BUILT_IN, "catalogue")
    validated = CatalogueFile.model_validate(data)
    loaded = load_catalogue()
    assert loaded.source == BUILT_IN
    assert loaded.version == validated.usm_catalogue
    assert loaded.types == tuple(validated.workflow_types)
    assert [vars(item) for item in loaded.types] == [
        vars(item) for item in validated.workflow_types
    ]
