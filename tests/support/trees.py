"""Fingerprints of a file tree: prove a command left its inputs alone."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from usmctl.check.cache import CACHE_DIR


def hash_tree(*roots: Path) -> dict[str, str]:
    """sha256 (and mode) of every file under ``roots``, keyed by path; links by target.

    Use it before and after a command to prove the command left its inputs alone:
    ``before = hash_tree(root); run(...); assert hash_tree(root, ignore=...) == before``.
    """
    hashes: dict[str, str] = {}
    for root in roots:
        candidates = [root] if not root.is_dir() else sorted(root.rglob("*"))
        for path in candidates:
            if CACHE_DIR in path.parts:
                continue  # usmctl's own parse cache, not an input (issue 6)
            if path.is_symlink():
                hashes[str(path)] = "link -> " + os.readlink(path)
            elif path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                hashes[str(path)] = f"{digest} {path.stat().st_mode:o}"
    return hashes


def without(hashes: dict[str, str], *paths: Path) -> dict[str, str]:
    """``hashes`` less the named paths (a command's own output file)."""
    skip = {str(path) for path in paths}
    return {name: digest for name, digest in hashes.items() if name not in skip}
