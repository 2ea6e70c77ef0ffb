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
