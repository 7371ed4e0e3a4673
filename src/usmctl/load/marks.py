"""Where each key and value of a parsed file starts, kept from its one parse.

The parser (`usmctl.load.yamlio`) records, while it builds a file's data, the
start of every mapping key and of every value (a scalar, an alias, the start
of a mapping or list) it reads, so a finding is located without reading the
file again: a lookup costs the depth of its path, not the size of the file.

A mark is the character offset the parser gives (``mark.index``); `Lines`
turns the few that findings need into ``line:col`` as the YAML reader counts
lines. The marks are flat integers (32-bit; 64-bit for a text past 2**31
characters) in one ``array``, one record per mapping or list, written when it
closes (children before their parent):

    [start, header, entries...]    header = 2 * count + (1 for a mapping)
    mapping entry: key id, key mark, value slot
    list entry:    value slot

A value slot is the value's mark, or ``-1 - offset`` of the record of the
mapping or list it is. Key ids number the file's distinct keys (`Marks.names`).
A mapping keeps every pair as written, a repeated key too: lookups read it
as the event walk of `usmctl.load.locate.nodes` does (a value's first
occurrence in the text, a key's last), so positions are the same as that walk
gives. A key that is not a plain value (a mapping, a list or an alias) names no
path and is not recorded, nor is what it keys.

About 4 bytes a list item and 12 a mapping pair; the key strings are the data's own.
"""

from __future__ import annotations

import binascii
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from usmctl.core.positions import DataPath, Position


def pack(mark: Any) -> int:
    """A parser mark as one integer: its character offset."""
    offset: int = mark.index
    return offset


class Lines:
    """1-based positions of character offsets in a text that parsed.

    Lines end where the YAML reader ends them (``\r\n``, ``\r``, ``\n``,
    U+0085, U+2028, U+2029): `str.splitlines` ends them there too, and at the
    controls YAML refuses (a text holding one did not parse).
    """

    def __init__(self, text: str) -> None:
        lines = text.splitlines(keepends=True)
        self._starts = list(accumulate(map(len, lines), initial=0))
        if lines and len(lines[-1].splitlines()[0]) == len(lines[-1]):
            self._starts.pop()  # the end of a last line without a break starts none

    def position(self, offset: int) -> Position:
        line = bisect_right(self._starts, offset) - 1
        return Position(line + 1, offset - self._starts[line] + 1)


class Marks:
    """The marks of one file's first document (see the module's docstring)."""

    __slots__ = ("_ids", "flat", "names", "root")

    def __init__(self, flat: array[int], names: list[str], root: int | None) -> None:
        self.flat = flat
        self.names = names
        self.root = root  # the document's value slot; None: the stream has none
        self._ids: dict[str, int] | None = None

    def key(self, path: DataPath) -> int | None:
        """The offset of the key of ``path``'s last item (its last occurrence),
        if the path ends in a key the file writes."""
        if not path or not isinstance(path[-1], str):
            return None
        return self._walk(path, 0, self.root, last=True)

    def value(self, path: DataPath) -> int | None:
        """The offset where the value at ``path`` starts (its first occurrence),
        if written."""
        return self._walk(path, 0, self.root, last=False)

    def _walk(self, path: DataPath, depth: int, slot: int | None, *, last: bool) -> int | None:
        """The mark of ``path[depth:]`` under ``slot``: a value's, or
        with ``last`` the last key's. A repeated key is tried in the order the
        text writes it (reversed for ``last``), as the event walk records it."""
        if slot is None:
            return None
        if depth == len(path):
            return None if last else (slot if slot >= 0 else self.flat[-1 - slot])
        if slot >= 0:
            return None  # a scalar or an alias has no items
        flat = self.flat
        offset = -1 - slot
        header = flat[offset + 1]
        count = header >> 1
        step = path[depth]
        start = offset + 2
        if not header & 1:  # a list
            if isinstance(step, int) and 0 <= step < count:
                return self._walk(path, depth + 1, flat[start + step], last=last)
            return None
        if not isinstance(step, str):
            return None
        ids = self._ids
        if ids is None:
            ids = self._ids = {name: number for number, name in enumerate(self.names)}
        wanted = ids.get(step)
        if wanted is None:
            return None
        found = None
        for entry in _entries(flat, start, count, wanted, reverse=last):
            if last and depth + 1 == len(path):
                return flat[entry + 1]
            found = self._walk(path, depth + 1, flat[entry + 2], last=last)
            if found is not None:
                return found
        return found

    def to_plain(self) -> list[Any]:
        """The marks as JSON can hold them (the parse cache stores them)."""
        encoded = binascii.b2a_base64(self.flat.tobytes(), newline=False).decode()
        return [self.flat.typecode, encoded, self.names, self.root]

    @classmethod
    def from_plain(cls, plain: Any) -> Marks:
        """The inverse of `to_plain` (raises TypeError or ValueError on bad input)."""
        typecode, encoded, names, root = plain
        if typecode not in ("i", "q"):
            raise ValueError("marks are 32- or 64-bit integers")
        flat = array(typecode)
        flat.frombytes(binascii.a2b_base64(encoded))  # binascii.Error is a ValueError
        if not all(type(name) is str for name in names):
            raise TypeError("key names must be text")
        if root is not None and (type(root) is not int or root < -len(flat)):
            raise ValueError("a root outside the marks")
        return cls(flat, list(names), root)


def _entries(
    flat: array[int], start: int, count: int, wanted: int, *, reverse: bool
) -> Iterator[int]:
    """Offsets of the mapping entries whose key id is ``wanted``."""
    ids = flat[start : start + 3 * count : 3]
    numbers = range(count - 1, -1, -1) if reverse else range(count)
    if ids.count(wanted) == 1:  # the usual case: found in C
        yield start + 3 * ids.index(wanted)
        return
    for number in numbers:
        if ids[number] == wanted:
            yield start + 3 * number


class MarksBuilder:
    """Collects marks while a parser builds the data (`usmctl.load.yamlio`)."""

    __slots__ = ("flat", "ids", "last")

    def __init__(self) -> None:
        # A list while the parse appends records (one conversion at the end is
        # cheaper than an array's per-item conversion on each extend).
        self.flat: list[int] = []
        self.ids: dict[str, int] = {}
        self.last = 0  # the value slot of the record closed last

    def close(self, start: int, mapping: bool, entries: list[int]) -> int:
        """Write the record of a mapping or list that has closed; its value slot."""
        flat = self.flat
        offset = len(flat)
        count = len(entries) // 3 if mapping else len(entries)
        flat.append(start)
        flat.append(2 * count + mapping)
        flat.extend(entries)
        self.last = -1 - offset
        return self.last

    def done(self, root: int | None) -> Marks:
        names = [""] * len(self.ids)
        for name, number in self.ids.items():
            names[number] = name
        try:
            flat = array("i", self.flat)
        except OverflowError:  # a text past 2**31 characters
            flat = array("q", self.flat)
        return Marks(flat, names, root)
