"""The demo reads in its three languages: assembly titles, agenda items, resolutions and the calls."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.assembly.models import AgendaItem, Assembly, AssemblyStatus, Resolution
from app.calls.models import Call
from app.core.content_i18n import in_language
from app.demo.loader import load_demo
from app.extensions import db


def test_demo_content_is_given_in_english_and_arabic(app: Flask) -> None:
    with app.app_context():
        load_demo(demo_mode=False)
        db.session.commit()
        texts = [*db.session.scalars(select(Assembly)), *db.session.scalars(select(AgendaItem))]
        assert len(texts) >= 8
        for obj in texts:
            for locale in ("fr", "en", "ar"):
                shown = in_language(obj, "title", locale)
                assert shown.text and not shown.fallback and shown.lang == locale, (obj.title, locale)
        for resolution in db.session.scalars(select(Resolution)):
            assert not in_language(resolution, "title", "ar").fallback, resolution.title_fr
        # the sitting of today: its resolution's text too
        today = db.session.scalar(select(Assembly).where(Assembly.status == AssemblyStatus.in_session))
        budget = today.agenda[0].resolutions[0]
        assert in_language(budget, "text", "ar").lang == "ar" and in_language(budget, "text", "en").lang == "en"
        for call in db.session.scalars(select(Call)):
            for locale in ("en", "ar"):
                assert not in_language(call, "title", locale).fallback, call.title_fr
                assert not in_language(call, "text", locale).fallback, call.title_fr
