"""The facts an applicant reads: outcome, eligibility with reasons, per criterion mean and anonymous
justifications, weighted score, rank of N, the line, the amount and its calculation, and the sentence."""
from __future__ import annotations

from fractions import Fraction

from flask_babel import force_locale

from app.calls import decision_wording, explanation
from app.calls.selection_models import ProposalDecision
from tests import factories
from tests.calls import decision_builders


def _item(pid: int) -> ProposalDecision:
    item = explanation.decision_of(pid)
    assert item is not None
    return item


def test_selected_proposal_sentence_scores_rank_line_and_amount(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision_builders.record(scene.call_id)
    ex = explanation.explain(_item(scene.proposal_ids[0]))
    assert ex.outcome == "selected" and ex.eligible
    assert ex.sentence == ("Your proposal scored 80.0/100 and ranks 1st of 3; the envelope of 120,000 € funded "
                           "proposals down to rank 2, at 70.0/100. The committee selected it for a grant of 58,575 €.")
    assert ex.score == 80 and ex.rank == 1 and ex.ranked == 3 and ex.line_rank == 2 and ex.line_score == 70
    assert ex.reviews == 3  # the conflicted organisation's review is not counted
    assert ex.amount_cents == 5857500
    assert ex.grant_lines and "58,575 €" in " ".join(ex.grant_lines)
    assert ex.amount_lines == ["The amount granted is the maximum grant, 58,575 €."]


def test_per_criterion_mean_on_its_scale_with_not_applicable_left_out(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision_builders.record(scene.call_id)
    ex = explanation.explain(_item(scene.proposal_ids[0]))
    by_code = {c.code: c for c in ex.criteria}
    assert [c.code for c in ex.criteria] == ["relevance", "impact", "partnership"]
    assert by_code["relevance"].mean == 4 and by_code["relevance"].mean_text == "4.0"
    assert by_code["impact"].mean == 8 and by_code["impact"].scale_max == 10
    assert by_code["partnership"].mean == Fraction(9, 2) and by_code["partnership"].na == 1
    assert by_code["partnership"].n == 2 and by_code["partnership"].mean_text == "4.5"


def test_justifications_are_anonymous_complete_and_in_a_stable_order_not_the_reviewers(
        session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision_builders.record(scene.call_id)
    ex = explanation.explain(_item(scene.proposal_ids[0]))
    texts = ex.criteria[0].justifications
    assert sorted(texts) == sorted(decision_builders.TEXTS)  # never the conflicted reviewer's text
    assert explanation.explain(_item(scene.proposal_ids[0])).criteria[0].justifications == texts
    ids = [r.id for r in explanation.counted_reviews(_item(scene.proposal_ids[0]).proposal)]
    expected = [t for _k, t in sorted((explanation.justification_order(i, "relevance"), t)
                                      for i, t in zip(ids, decision_builders.TEXTS, strict=True))]
    assert list(texts) == expected
    for criterion in ex.criteria:
        for text in criterion.justifications:
            assert isinstance(text, str)
    flat = repr(ex.criteria)
    for name in scene.reviewer_names + scene.reviewer_member_names + scene.reviewer_emails:
        assert name not in flat


def test_ineligible_proposal_gets_its_failed_rules_and_reasons(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision_builders.record(scene.call_id)
    ex = explanation.explain(_item(scene.proposal_ids[3]))
    assert not ex.eligible and ex.outcome == "rejected" and ex.rank is None
    assert [r.kind for r in ex.failed] == ["duration_range"]
    failed = ex.failed[0]
    assert failed.rule == "A duration between 12 and 36 months."
    assert "48" in failed.reason
    assert ex.sentences[0] == ("Your proposal is not eligible: 1 rule of the call is not met, and it was not "
                               "ranked.")
    assert ex.sentences[-1] == "The committee did not select it."


def test_reserve_position_is_said(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision_builders.record(scene.call_id)
    ex = explanation.explain(_item(scene.proposal_ids[2]))
    assert ex.outcome == "reserve" and ex.rank == 3
    assert ex.sentence.endswith("The committee put it on the reserve list, in position 1.")


def test_departure_is_explained_with_its_reason(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    reason = "The committee favours a proposal from the southern shore this year."
    decision_builders.record(scene.call_id, decided={scene.proposal_ids[1]: ("rejected", 0, reason),
                                                     scene.proposal_ids[2]: ("selected", 5857500, reason)})
    ex = explanation.explain(_item(scene.proposal_ids[1]))
    assert ex.outcome == "rejected"
    assert ex.sentences[-2:] == ["The committee did not select it.",
                                 "The committee departed from the funding line for this proposal: " + reason]


def test_sentence_numbers_and_ranks_in_french_and_arabic(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    decision_builders.record(scene.call_id)
    item = _item(scene.proposal_ids[0])
    with force_locale("fr"):
        assert decision_wording.ordinal(1) == "1er" and decision_wording.ordinal(6) == "6e"
        assert decision_wording.score_text(Fraction(143, 2)) == "71,5"
        french = explanation.explain(item, lang="fr")
        assert "80,0" in french.sentence and "120 000" in french.sentence.replace("\u202f", " ").replace("\xa0", " ")
        assert french.criteria[0].name == "Pertinence"
    with force_locale("ar"):
        assert decision_wording.ordinal(6) == "6"
        arabic = explanation.explain(item, lang="ar")
        assert arabic.criteria[0].name == "الملاءمة"
    with force_locale("en"):
        assert [decision_wording.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == \
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]
        assert decision_wording.score_text(Fraction(1429, 20)) == "71.5"  # 71.45 rounds half up


def test_no_decision_is_none(session: factories.World) -> None:
    scene = decision_builders.scene(session)
    assert explanation.decision_of(scene.proposal_ids[0]) is None
