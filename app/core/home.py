"""The home page's panels, contributed by the packages that own their content.

``core`` sits below every other package, so its home page cannot import them;
instead each package registers its panels when the app is created (from its
``init_app``), and the home page renders whichever have something to show::

    from app.core.home import register_home_panel

    def open_calls_panel(user) -> dict | None:
        calls = open_calls_for(user)          # keep it to a fixed number of queries
        return {"calls": calls} if calls else None   # None: the panel is not shown

    register_home_panel("calls.open", order=35, template="calls/_home_open.html",
                        context=open_calls_panel)

``context(user)`` gets the signed-in user and returns the variables of the
panel's template, or None to leave the panel out. ``template`` renders one
``<section class="card">`` with those variables (plus the usual globals:
``current_user``, ``can``, ``url_for``, ``_``). Panels appear by ``order``,
then name. Orders in use: 10 your organisation (members), 20 ballots waiting
(assembly), 30 upcoming assemblies (assembly), 40 member register
(members, secretariat). Registering a name again replaces the panel, so
``create_app`` may run many times (tests).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template
from markupsafe import Markup

PanelContext = Callable[[Any], Mapping[str, Any] | None]


@dataclass(frozen=True)
class HomePanel:
    name: str
    order: int
    template: str
    context: PanelContext


_PANELS: dict[str, HomePanel] = {}


def register_home_panel(name: str, *, order: int, template: str, context: PanelContext) -> HomePanel:
    """Add (or replace) the panel ``name``; see the module docstring."""
    panel = HomePanel(name, order, template, context)
    _PANELS[name] = panel
    return panel


def home_panels() -> list[HomePanel]:
    """The registered panels in page order."""
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.name))


def render_panels(user: Any) -> list[Markup]:
    """The HTML of every panel that has something to show ``user``, in page order."""
    rendered = []
    for panel in home_panels():
        context = panel.context(user)
        if context is not None:
            rendered.append(Markup(render_template(panel.template, **context)))
    return rendered
