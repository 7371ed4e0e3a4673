"""The language server (`usmctl server`): the engine of `usmctl validate`
behind the Language Server Protocol, for editors."""
