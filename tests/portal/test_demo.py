import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from bulletin.models import Article

pytestmark = pytest.mark.django_db


def run_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_demo_content_and_logins(settings, client):
    settings.DEBUG = True
    output = run_demo()
    User = get_user_model()
    for username, group in [
        ("editor", "Editors"),
        ("author", "Authors"),
        ("moderator", "Moderators"),
    ]:
        user = User.objects.get(username=username)
        assert user.is_staff and user.groups.filter(name=group).exists()
        assert f"{username:<10} demo-{username}-pass" in output
    assert User.objects.get(username="admin").is_superuser
    sample = Article.objects.get(title__startswith='Strive to create "four environments"')
    assert sample.is_published and sample.source_name == "Joke Collection Website"
    assert sample.section.name == "Bulletin headlines"
    assert Article.objects.published().count() >= 8
    assert client.get(sample.get_absolute_url()).status_code == 200
    # Through the admin's log-in form, as a person logs in (and as django-axes counts).
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": "demo-editor-pass"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    run_demo()
    counts = (Article.objects.count(), get_user_model().objects.count())
    output = run_demo()
    assert (Article.objects.count(), get_user_model().objects.count()) == counts
    assert "0 article(s) added" in output
    assert "unchanged" in output


def test_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        run_demo()
    assert not get_user_model().objects.filter(username="editor").exists()
