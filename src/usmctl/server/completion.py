"""Completion: what may be written at the cursor, as LSP completion items.

The context is read from the document's text as the editor holds it, which
is being typed and often does not parse (`usmctl.check.completion.context_at`
reads it by indentation); the candidates come from the model of the last
analysis in which every file parsed that parsed before
(`Workspace.completing`) and from the active catalogue. Each item replaces
the prefix typed so far; a key is written with its ``: `` unless one follows
the cursor already.
"""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from usmctl.check.completion import CandidateKind, candidates, context_at
from usmctl.model.catalogue import Catalogue
from usmctl.rules.indexes import Indexes
from usmctl.server.protocol import from_client, to_client

# What starts a value or a key in YAML: `key:` (then `provider:process`
# entries), the space after it, a list item's dash, a flow list, its next item.
TRIGGERS = [":", " ", "-", "[", ","]

KIND: dict[CandidateKind, types.CompletionItemKind] = {
    "id": types.CompletionItemKind.Reference,
    "enum": types.CompletionItemKind.EnumMember,
    "key": types.CompletionItemKind.Property,
}

# The rest of a key already written after the cursor, up to its colon.
_KEY_FOLLOWS = re.compile(r"""[\w.$"'-]*\s*:""")


def complete(
    text: str,
    position: types.Position,
    *,
    codec: PositionCodec,
    indexes: Indexes,
    catalogue: Catalogue,
    shared_range: bool = False,
) -> types.CompletionList | None:
    """The completion items at a client's ``position`` of ``text`` (a YAML
    architecture file); None where nothing is completed (a comment). With
    ``shared_range`` (a client that takes ``itemDefaults.editRange``) the
    range replaced is said once for all items, not in each: an answer of a
    thousand ids is half the size."""
    lines = text.splitlines()
    line, column = from_client(lines, position, codec)
    context = context_at(text, line + 1, column + 1)
    if context is None:
        return None
    found = candidates(context, indexes=indexes, catalogue=catalogue)
    current = lines[line] if line < len(lines) else ""
    typed = types.Range(start=to_client(lines, (line, context.start - 1), codec), end=position)
    key_follows = _KEY_FOLLOWS.match(current, column) is not None
    items: list[types.CompletionItem] = []
    for rank, candidate in enumerate(found):
        written = candidate.label + (": " if candidate.kind == "key" and not key_follows else "")
        item = types.CompletionItem(
            label=candidate.label,
            kind=KIND[candidate.kind],
            detail=candidate.detail or None,
            sort_text=f"{rank:05d}",  # the order candidates gives: as declared
            text_edit=None if shared_range else types.TextEdit(range=typed, new_text=written),
            text_edit_text=written if shared_range and written != candidate.label else None,
        )
        items.append(item)
    defaults = types.CompletionItemDefaults(edit_range=typed) if shared_range else None
    return types.CompletionList(is_incomplete=False, items=items, item_defaults=defaults)
