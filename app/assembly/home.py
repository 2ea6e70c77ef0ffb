"""The assembly's home panels (see ``app.core.home``): ballots waiting, upcoming assemblies."""
from __future__ import annotations

from typing import Any

from app.assembly.queries import pending_ballots, upcoming_assemblies
from app.core.home import register_home_panel


def ballots_panel(user: Any) -> dict[str, Any] | None:
    """Open votes where the user may still cast (one query)."""
    ballots = pending_ballots(user)
    return {"ballots": ballots} if ballots else None


def assemblies_panel(user: Any) -> dict[str, Any] | None:
    """Convened or sitting assemblies, soonest first (one query)."""
    assemblies = upcoming_assemblies()
    return {"assemblies": assemblies} if assemblies else None


def register() -> None:
    # The ballots waiting are lines of the home page's desk (app/assembly/desk.py), no longer a panel.
    register_home_panel("assembly.upcoming", order=30, template="assembly/_home_assemblies.html",
                        context=assemblies_panel)
