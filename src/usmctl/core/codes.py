"""The codes of the rules reported before the rules run (USM001–USM013).

The loader, the parser and the model builder report these while they read
the input; the engine and the suppressions name a few. They import the code
from here rather than writing it out, so a typo is an import error; the rules
in `usmctl.rules.structure` take their ``code`` from here too (one source).
"""

from __future__ import annotations

from typing import Final

YAML_SYNTAX: Final = "USM001"
DUPLICATE_KEY: Final = "USM002"
SCHEMA_VIOLATION: Final = "USM003"
UNKNOWN_FIELD: Final = "USM004"
DUPLICATE_ID: Final = "USM005"
UNRESOLVED_REFERENCE: Final = "USM006"
WRONG_KIND_REFERENCE: Final = "USM007"
UNSUPPORTED_VERSION: Final = "USM008"
UNSAFE_YAML: Final = "USM009"
UNREADABLE_FILE: Final = "USM010"
UNUSED_SUPPRESSION: Final = "USM011"
EMPTY_ARCHITECTURE: Final = "USM012"
AMBIGUOUS_SCALAR: Final = "USM013"
