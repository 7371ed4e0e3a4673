"""Code actions: a finding's one safe fix (`Finding.fix`) as a quick fix.

The client sends back the diagnostics at the cursor; each is matched to the
finding of the current analysis it was made from (same code, same range, the
message where two share both), so a diagnostic of an older text, whose
finding is gone or moved, is offered nothing. The fix's edits are exact
1-based positions in characters of the text that analysis read; they leave
through the same conversion as diagnostics (`Places`).
"""

from __future__ import annotations

from lsprotocol import types

from usmctl.core.findings import Finding
from usmctl.core.fixes import Edit, Fix
from usmctl.server.protocol import SOURCE, Places

KINDS = [types.CodeActionKind.QuickFix]

_RangeKey = tuple[str, int, int, int, int]  # code, start line and character, end


def _key(code: str, where: types.Range) -> _RangeKey:
    return (code, where.start.line, where.start.character, where.end.line, where.end.character)


def quick_fixes(
    params: types.CodeActionParams,
    *,
    places: Places,
    file: str,
    version: int | None,
    document_changes: bool,
) -> list[types.CodeAction]:
    """The quick fixes for the diagnostics of ``params`` in ``file`` (as
    findings name it); the edit names the document's ``version`` when the
    client takes versioned ``documentChanges``."""
    only = params.context.only
    if only is not None and not {types.CodeActionKind.QuickFix, types.CodeActionKind.Empty} & {
        *only
    }:
        return []
    uri = places.uri(file)
    if uri is None:
        return []
    fixable: dict[_RangeKey, list[Finding]] = {}
    for finding in places.analysis.findings:
        if finding.file == file and finding.fix is not None:
            where = places.from_finding(file, finding.line, finding.column)
            fixable.setdefault(_key(finding.code, where), []).append(finding)
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source not in (None, SOURCE) or diagnostic.code is None:
            continue
        found = fixable.get(_key(str(diagnostic.code), diagnostic.range), [])
        if len(found) > 1:
            found = [item for item in found if item.message == diagnostic.message]
        if not found or found[0].fix is None:
            continue
        fix = found[0].fix
        actions.append(
            types.CodeAction(
                title=fix.title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=_workspace_edit(
                    fix, places, file, uri, version=version, document_changes=document_changes
                ),
            )
        )
    if len(actions) == 1:
        actions[0].is_preferred = True
    return actions


def _workspace_edit(
    fix: Fix,
    places: Places,
    file: str,
    uri: str,
    *,
    version: int | None,
    document_changes: bool,
) -> types.WorkspaceEdit:
    """The fix's edits: as ``documentChanges`` naming the document's version
    (None: not open in the editor), else as plain ``changes``."""
    edits = [_text_edit(edit, places, file) for edit in fix.edits]
    if document_changes:
        target = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=target, edits=[*edits])]
        )
    return types.WorkspaceEdit(changes={uri: edits})


def _text_edit(edit: Edit, places: Places, file: str) -> types.TextEdit:
    start = (edit.line - 1, edit.column - 1)
    end = (edit.end_line - 1, edit.end_column - 1)
    return types.TextEdit(range=places.range(file, start, end), new_text=edit.new_text)
