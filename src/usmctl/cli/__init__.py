"""The command line: the Typer app and its entry point (``usmctl.cli:main``)."""

from usmctl.cli.app import app, main

__all__ = ["app", "main"]
