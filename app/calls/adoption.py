"""The adoption hook: a frozen rule-set version becomes adopted when its resolution's vote closes adopted.

(being written: ``connect()`` subscribes to the assembly's resolution-decided signal.)
"""
from __future__ import annotations


def connect() -> None:
    """Subscribe to the assembly's signal (idempotent)."""
