"""Member name keys recomputed with the look-alike-proof key (app/members/names.py): NFKC, invisible
characters and right-to-left overrides undone, Cyrillic and Greek look-alikes of Latin letters mapped.

A data migration: no schema change. If two existing members now have the same key (one of them is
probably a look-alike of the other), nothing is changed and the upgrade stops with the list of them:
rename one of each pair (for example with the application at the previous version, or in SQL), then run
the upgrade again. Nothing is merged automatically: which member is the real one is a decision.

Revision ID: 625c48af3d4d
Revises: 00e794f05d47
Create Date: 2026-12-01 04:30:00

"""
import unicodedata
from collections import defaultdict
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from app.members.names import name_key

# revision identifiers, used by Alembic.
revision = '625c48af3d4d'
down_revision = '00e794f05d47'
branch_labels = None
depends_on = None

members = sa.table("members", sa.column("id", sa.Integer), sa.column("name", sa.String),
                   sa.column("name_key", sa.String))


def previous_name_key(name: str) -> str:
    """The key before this revision: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(kept.split())


class NameKeyCollision(RuntimeError):
    """Two members would share a key: the upgrade changes nothing and says which."""


def collisions(rows: list[tuple[int, str]], key: Callable[[str], str]) -> list[list[tuple[int, str]]]:
    """Groups of (id, name) whose names get the same key, each sorted by id."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for member_id, name in rows:
        groups[key(name)].append((member_id, name))
    return [sorted(group) for group in groups.values() if len(group) > 1]


def collision_message(clashes: list[list[tuple[int, str]]]) -> str:
    listing = "\n".join("  - " + " / ".join(f"#{member_id} {name!r}" for member_id, name in group)
                        for group in clashes)
    return ("These members' names read the same under the new name key (one of each group is probably a "
            f"look-alike):\n{listing}\nNothing was changed. Rename one member of each group (its name must read "
            "differently), then run the upgrade again.")


def recompute(key: Callable[[str], str]) -> None:
    conn = op.get_bind()
    rows = [(row.id, row.name, row.name_key) for row in conn.execute(
        sa.select(members.c.id, members.c.name, members.c.name_key).order_by(members.c.id))]
    clashes = collisions([(member_id, name) for member_id, name, _old in rows], key)
    if clashes:
        raise NameKeyCollision(collision_message(clashes))
    changed = [(member_id, key(name)) for member_id, name, old in rows if key(name) != old]
    # Two steps, so that a key taken over from another row never meets it in the unique index.
    for member_id, _new in changed:
        conn.execute(members.update().where(members.c.id == member_id).values(name_key=f"~renaming {member_id}"))
    for member_id, new in changed:
        conn.execute(members.update().where(members.c.id == member_id).values(name_key=new))


def upgrade():
    recompute(name_key)


def downgrade():
    recompute(previous_name_key)
