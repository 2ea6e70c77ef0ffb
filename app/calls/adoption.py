"""The adoption hook: a frozen rule-set version is adopted by the counted result of its resolution, nothing else.

The assembly sends ``resolution_decided`` from ``voting.close_vote`` once the
vote is sealed and counted, in the same transaction. ``on_resolution_decided``
is the only code that sets a version ``adopted`` (a test walks the sources to
keep it so): no route, no button. ``rejected`` and ``no_quorum`` mark it
``rejected``, which leaves the rule set open to amendments again.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from app.assembly.models import Resolution, Vote
from app.assembly.signals import resolution_decided
from app.calls.models import RuleSetVersion, VersionStatus
from app.core import audit
from app.core.timeutil import utcnow
from app.extensions import db


def on_resolution_decided(vote: Vote, *, resolution: Resolution, result: dict[str, Any], actor: Any = None,
                          **_: Any) -> RuleSetVersion | None:
    """Adopt or reject the version put to ``resolution``, from its counted ``result``.

    Idempotent: the conditional UPDATE (``WHERE status = 'frozen'``) changes a
    version once; a second signal for the same resolution finds it decided and
    does nothing. Flushes, never commits (the close's transaction does).
    """
    version_id = db.session.scalar(select(RuleSetVersion.id).where(RuleSetVersion.resolution_id == resolution.id))
    if version_id is None:
        return None
    outcome = str(result.get("outcome"))
    status = VersionStatus.adopted if outcome == "adopted" else VersionStatus.rejected
    decision = {"outcome": outcome, "counts": result.get("counts"), "electorate": result.get("electorate"),
                "participation": result.get("participation"), "final_hash": result.get("final_hash"),
                "vote_id": vote.id, "resolution_id": resolution.id}
    now = utcnow()
    changed = db.session.execute(
        update(RuleSetVersion).where(RuleSetVersion.id == version_id, RuleSetVersion.status == VersionStatus.frozen)
        .values(status=status, decision=decision, decided_at=now).execution_options(synchronize_session=False))
    version = db.session.scalar(select(RuleSetVersion).where(RuleSetVersion.id == version_id)
                                .execution_options(populate_existing=True))
    if changed.rowcount != 1:
        return None
    audit.record(f"ruleset.{'adopted' if status == VersionStatus.adopted else 'not_adopted'}", "rule_set",
                 version.rule_set_id, actor=actor,
                 after={"version": version.number, "status": status, "decision": decision})
    return version


def connect() -> None:
    """Subscribe to the assembly's signal (idempotent: blinker keeps one connection per receiver)."""
    resolution_decided.connect(on_resolution_decided, weak=False)
