"""The app starts, the login page renders and a signed-in user reaches home."""
from tests.conftest import login


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'lang="fr"' in response.get_data(as_text=True)


def test_home_after_login(client, world):
    login(client, world.emails["secretariat"])
    response = client.get("/")
    assert response.status_code == 200


def test_directory_lists_members(client, world):
    login(client, world.emails["delegate"])
    html = client.get("/members").get_data(as_text=True)
    assert "Association des Jeunes de Gafsa" in html


def test_lazy_messages_carrying_user_data_are_escaped(app) -> None:  # noqa: ANN001
    """A translated message with a member's name in it must not inject HTML."""
    from flask import render_template_string
    from flask_babel import lazy_gettext as _l

    with app.test_request_context():
        message = _l("%(name)s is not an active member.", name="<img src=x onerror=alert(1)>")
        html = render_template_string("{{ message }}", message=message)
    assert "<img" not in html and "&lt;img" in html


def test_wtforms_messages_follow_the_language_and_are_parsed_once(app) -> None:  # noqa: ANN001
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms import IntegerField

    from app.core import i18n

    class Number(FlaskForm):
        n = IntegerField("n")

    errors = {}
    for locale in ("fr", "en", "fr"):
        with app.test_request_context(headers={"Accept-Language": locale}):
            form = Number(formdata=MultiDict({"n": "abc"}), meta={"csrf": False})
            form.validate()
            errors[locale] = form.n.errors[0]
    assert errors["en"] == "Not a valid integer value."
    assert errors["fr"] != errors["en"]
    assert i18n._wtforms_catalog.cache_info().hits >= 1
