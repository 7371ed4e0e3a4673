"""Where things are: the checkout, its examples, and the optional shared corpora."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
EXAMPLES = ROOT / "examples"
# The YAML test suite and external schemas, beside the checkout when present;
# tests that need them skip with a reason when it is missing.
SHARED = ROOT.parent / "shared"
CLEAN_EXAMPLES = ("pilot", "hr-onboarding", "hospital-facilities", "siam-multi-provider")
