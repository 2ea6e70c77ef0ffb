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
then name. Orders in use: 0 the desk (below), 10 your organisation (members),
25 reviews to write (calls), 30 upcoming assemblies (assembly), 35 open calls
(calls), 40 member register (members, secretariat).

The first panel is the *desk*: what is waiting for the user, each line saying
what to do and linking to where it is done. Packages contribute its lines the
same way, with ``register_desk`` from their ``desk.py``. Registering a name again replaces the panel, so
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


# The desk: what is waiting for the user ------------------------------------------------------

def bidi(value: Any) -> Markup:
    """A value inside a desk sentence, escaped and isolated (``<bdi>``): a Latin title, a grant number or
    a date keeps its order inside an Arabic sentence, and an Arabic name inside a French one.

    A sentence is then ``Markup(_("Vote open: %(title)s", title=bidi(title)))``: the words come from our
    catalogs, every value passed through ``bidi`` (or a number)."""
    return Markup("<bdi>{}</bdi>").format(value)


@dataclass(frozen=True)
class Turnout:
    """A vote's live count on the desk; ``url`` answers JSON for ``turnout.js``."""

    count: int
    electorate: int | None
    url: str


@dataclass(frozen=True)
class DeskItem:
    """One line of the desk: what is waiting (``text``, counts through ngettext) and where to act.

    ``action`` is the link's text (a verb: "Decide", "Sign the charter"), ``note``
    an optional second line (when it closes, the quorum), ``tone`` "warn" for what
    is late or blocking, "ok" for good news, "" otherwise.
    """

    text: str | Markup
    url: str
    action: str | Markup
    note: str | Markup = ""
    tone: str = ""
    turnout: Turnout | None = None


DeskItems = Callable[[Any], list[DeskItem]]


@dataclass(frozen=True)
class DeskSource:
    name: str
    order: int
    title: Any  # a lazy string: the group's heading
    items: DeskItems


_DESK: dict[str, DeskSource] = {}


def register_desk(name: str, *, order: int, title: Any, items: DeskItems) -> DeskSource:
    """Add (or replace) a group of desk lines; ``items(user)`` returns [] when nothing waits.

    Like the panels, a package registers its own from its ``init_app`` (``app/<package>/desk.py``)
    and must keep to a fixed number of queries whatever the data size. Orders in use: 10 votes,
    20 assemblies, 30 your organisation's proxies (assembly), 40 members and charter (members),
    45 invitations (auth), 50 elections, 60 calls, 70 grants, 90 e-mails (core).
    """
    source = DeskSource(name, order, title, items)
    _DESK[name] = source
    return source


def desk_sources() -> list[DeskSource]:
    return sorted(_DESK.values(), key=lambda s: (s.order, s.name))


@dataclass(frozen=True)
class DeskGroup:
    name: str
    title: str
    items: list[DeskItem]


def desk_for(user: Any) -> list[DeskGroup]:
    """The non-empty groups of the user's desk, in page order."""
    groups = []
    for source in desk_sources():
        items = source.items(user)
        if not items:
            continue
        if groups and groups[-1].title == str(source.title):  # two sources, one heading (elections, calls)
            groups[-1].items.extend(items)
        else:
            groups.append(DeskGroup(source.name, str(source.title), list(items)))
    return groups


def desk_panel(user: Any) -> dict[str, Any]:
    """Always shown: an empty desk says so, so that nobody wonders whether the page failed."""
    groups = desk_for(user)
    return {"groups": groups, "waiting": sum(len(g.items) for g in groups),
            "live": any(item.turnout for g in groups for item in g.items)}


def register_desk_panel() -> None:
    """The desk as the first panel (called from ``app.core.desk.register`` when the app is created)."""
    register_home_panel("core.desk", order=0, template="core/_desk.html", context=desk_panel)
