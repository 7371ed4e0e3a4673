"""Fuzzing (SPEC §6, never a traceback): generated architectures and mutated examples.

Whatever the input, ``api.check`` returns findings and every finding points into
a file that was checked, at line >= 1 and column >= 1 (and not past the file's
end). Examples are few and derandomized so the suite stays fast and repeatable;
set USMCTL_FUZZ_EXAMPLES=2000 for a longer, random run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.paths import CLEAN_EXAMPLES, EXAMPLES
from usmctl.api import check
from usmctl.check.result import RunResult
from usmctl.check.settings import Settings
from usmctl.load.limits import Limits
from usmctl.load.loader import SourceFile, load_bytes

pytestmark = pytest.mark.slow

_EXAMPLES = int(os.environ.get("USMCTL_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=_EXAMPLES or 60,
    deadline=None,
    derandomize=not _EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- invariants -----------------------------------------------------------------


def assert_well_located(result: RunResult, root: Path | None = None) -> None:
    """Every finding names a checked file and a position inside it; every output
    format renders the result (so reporters added later are fuzzed too)."""
    from usmctl.output.findings import REPORTERS
    from usmctl.output.findings.options import ReportOptions

    for render in REPORTERS.values():
        assert isinstance(render(result, ReportOptions(color=True, statistics=True)), str)
    for finding in result.findings:
        assert finding.file in result.files, finding
        assert finding.line >= 1 and finding.column >= 1, finding
        assert finding.message and finding.message.isprintable(), finding
        if root is not None:
            path = root / finding.file
            if path.is_file():
                lines = path.read_bytes().decode("utf-8", "replace").splitlines()
                assert finding.line <= len(lines) + 1, (finding, len(lines))


@contextmanager
def scratch() -> Iterator[Path]:
    """A fresh directory per example (pytest's tmp_path is one per test)."""
    directory = Path(tempfile.mkdtemp(prefix="usmctl-fuzz-"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# --- generated architectures (SPEC §2 shapes, random values and types) ------------

IDS = ["acme", "acme-it", "biz", "cloudco", "agent", "svc", "sa", "wf", "tool", "x", "A B"]
PROCESSES = ["agree", "change", "recover", "operate", "improve", "CHM", "problem-management"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["on", "no", "1.0", "TBD", "", "~", "2001-12-14", "0x1F", "<<"]),
)
junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
ids = st.sampled_from(IDS)
id_lists = st.lists(ids, max_size=3)


def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a value of the right shape, sometimes anything at all."""
    return st.one_of(good, good, good, junk)


def entity(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping with a random subset of ``fields`` (and now and then an unknown key)."""
    return st.fixed_dictionaries(
        {},
        optional={name: maybe(value) for name, value in fields.items()}
        | {"x-ext": junk, "colour": junk},
    )


responsibilities = st.dictionaries(
    ids, st.lists(st.sampled_from(["R", "A", "C", "I", "X"]), max_size=3), max_size=3
)
step = entity(
    name=st.text(max_size=10),
    sort_index=st.integers(min_value=-1, max_value=3),
    process=st.sampled_from(PROCESSES),
    responsibilities=responsibilities,
    activities=st.lists(entity(name=st.text(max_size=5), responsibilities=responsibilities)),
)
SECTIONS: dict[str, st.SearchStrategy[Any]] = {
    "architecture": entity(id=ids, name=st.text(max_size=10), domain=st.text(max_size=5)),
    "profiles": st.lists(
        entity(
            id=ids,
            kind=st.sampled_from(["customer", "provider", "supplier", "operator", "boss"]),
            external=st.booleans(),
            of=ids,
        ),
        max_size=4,
    ),
    "processes": st.lists(
        entity(provider=ids, process=st.sampled_from(PROCESSES), owner=ids, inputs=id_lists),
        max_size=4,
    ),
    "services": st.lists(
        entity(
            id=ids,
            provider=ids,
            customers=id_lists,
            agreement=ids,
            facility=entity(description=st.text(max_size=8), goods=id_lists),
            support=entity(description=st.sampled_from(["TBD", "help", ""]), channels=id_lists),
            depends_on=id_lists,
        ),
        max_size=3,
    ),
    "agreements": st.lists(
        entity(
            id=ids,
            kind=st.sampled_from(["agreement", "contract", "deal"]),
            provider=ids,
            customer=ids,
            services=id_lists,
            request_types=st.lists(st.sampled_from(["wish", "incident", "complaint"])),
        ),
        max_size=3,
    ),
    "workflows": st.lists(
        entity(
            id=ids,
            provider=ids,
            type=st.sampled_from(["incident", "wish", "nope", "planned-operation"]),
            owner_process=st.sampled_from(PROCESSES),
            dynamicity=st.sampled_from(["static", "dynamic", "sometimes"]),
            tool=ids,
            steps=st.lists(step, max_size=3),
        ),
        max_size=3,
    ),
    "practices": st.lists(
        entity(id=ids, framework=st.text(max_size=5), plugs_into=entity(processes=id_lists)),
        max_size=2,
    ),
    "tools": st.lists(entity(id=ids, product=st.text(max_size=5), handles=id_lists), max_size=2),
    "governance": st.lists(
        entity(
            id=ids,
            kind=st.sampled_from(["policy", "constraint", "wish"]),
            applies_to=id_lists,
            enforced_by=st.lists(st.sampled_from(["acme-it:recover", "wf", "x:y:z"])),
        ),
        max_size=2,
    ),
    "overlays": st.lists(
        entity(
            id=ids,
            kind=st.sampled_from(["siam", "dvms", "xla", "other", "zzz"]),
            integrator=ids,
            binds_to=id_lists,
            indicators=st.lists(entity(name=st.text(max_size=5), service=ids, target=scalars)),
        ),
        max_size=2,
    ),
    "value_streams": st.lists(
        entity(
            id=ids,
            customer=ids,
            stages=st.lists(entity(name=st.text(max_size=5), service=ids, workflow=ids)),
        ),
        max_size=2,
    ),
}
documents = st.fixed_dictionaries(
    {"usm": st.sampled_from(["1", "1", "1", 1, "2"])},
    optional={**SECTIONS, "x-notes": junk, "bogus": junk},
)
wif_documents = st.fixed_dictionaries(
    {},
    optional={
        "format-version": st.just("1.0.0"),
        "process": st.sampled_from(PROCESSES),
        "dynamicity": st.sampled_from(["static", "dynamic", "x"]),
        "context": ids,
        "slug": ids,
        "name": st.text(max_size=8),
        "steps": st.lists(
            entity(
                id=st.text(max_size=3),
                process=st.sampled_from(PROCESSES),
                activities=st.lists(entity(responsibilities=responsibilities), max_size=2),
                **{"sort-index": st.integers(min_value=-1, max_value=3)},
            )
            | junk,
            max_size=3,
        ),
    },
)


def dump(document: Any) -> str:
    """YAML text; a float NaN or an odd key is fine, PyYAML writes them all."""
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


@FUZZ
@given(files=st.lists(documents, min_size=1, max_size=3), wif=st.none() | wif_documents)
def test_generated_architectures(files: list[dict[str, Any]], wif: dict[str, Any] | None) -> None:
    with scratch() as root:
        for number, document in enumerate(files):
            (root / f"part{number}.usm.yaml").write_text(dump(document), encoding="utf-8")
        if wif is not None:
            (root / "wf.workflow.json").write_text(json.dumps(wif), encoding="utf-8")
        result = check(["."], Settings(), cwd=root)
        assert_well_located(result, root)


# --- mutations of the clean examples ----------------------------------------------

EXAMPLE_FILES = sorted(
    path
    for name in CLEAN_EXAMPLES
    for path in (EXAMPLES / name).iterdir()
    if path.name.endswith((".usm.yaml", ".workflow.json"))
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into ``data`` (keys and indexes), parents before children."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for item in path[:-1]:
        data = data[item]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, bytes]:
    """An example file and new bytes for it: a dropped key, a swapped type,
    random bytes, a truncation or a deleted line."""
    path = draw(st.sampled_from(EXAMPLE_FILES))
    raw = path.read_bytes()
    how = draw(st.sampled_from(["drop", "swap", "insert", "truncate", "delete-line"]))
    if how in ("drop", "swap"):
        data = yaml.safe_load(raw)
        paths = list(_paths(data))
        target = draw(st.sampled_from(paths))
        parent = _parent(data, target)
        if how == "drop":
            del parent[target[-1]]
        else:
            parent[target[-1]] = draw(junk)
        text = json.dumps(data) if path.suffix == ".json" else dump(data)
        return path, text.encode("utf-8")
    offset = draw(st.integers(min_value=0, max_value=len(raw)))
    if how == "insert":
        return path, raw[:offset] + draw(st.binary(min_size=1, max_size=8)) + raw[offset:]
    if how == "truncate":
        return path, raw[:offset]
    lines = raw.splitlines(keepends=True)
    index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    return path, b"".join(lines[:index] + lines[index + 1 :])


@FUZZ
@given(mutation=mutated())
def test_mutated_examples(mutation: tuple[Path, bytes]) -> None:
    original, raw = mutation
    with scratch() as root:
        architecture = root / original.parent.name
        shutil.copytree(original.parent, architecture)
        (architecture / original.name).write_bytes(raw)
        result = check(["."], Settings(), cwd=architecture)
        assert_well_located(result, architecture)


@settings(FUZZ, max_examples=(_EXAMPLES or 60) * 5)
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    """The loader alone, on anything at all (cheap, so more examples)."""
    for kind in ("yaml", "wif"):
        loaded = load_bytes(SourceFile(Path("f"), "f", kind), raw, Limits())
        for problem in loaded.problems:
            assert problem.position.line >= 1 and problem.position.column >= 1
