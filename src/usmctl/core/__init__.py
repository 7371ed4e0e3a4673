"""Leaves: errors, findings, positions, atomic writes; they import nothing else from usmctl."""
