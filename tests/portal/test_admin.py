import pytest
from django.urls import NoReverseMatch, reverse

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_tag_admin_lists_usage(client, editor):
    ArticleFactory.create_batch(2, tags=["rivers"])
    client.force_login(editor)
    response = client.get(reverse("admin:taggit_tag_changelist"))
    assert response.status_code == 200
    row = next(t for t in response.context["cl"].result_list if t.name == "rivers")
    assert row.article_count == 2


@pytest.mark.parametrize("role", ["author", "moderator", "editor"])
def test_taggits_merge_page_is_gone(client_for, role):
    client = client_for(role)
    with pytest.raises(NoReverseMatch):
        reverse("admin:taggit_tag_merge_tags")
    response = client.post("/admin/taggit/tag/merge-tags/", {"new_tag_name": "x"})
    assert response.status_code in (302, 404)
    from taggit.models import Tag

    assert not Tag.objects.filter(name="x").exists()


def test_tag_changelist_offers_no_merge_action(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:taggit_tag_changelist"))
    choices = [value for value, _ in response.context["action_form"].fields["action"].choices]
    assert "render_tag_form" not in choices


def test_reserved_section_slug_is_a_form_error(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:bulletin_section_add"),
        {"name": "Old things", "slug": "archive", "description": "", "position": 0},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"][0].startswith("“archive” is taken")
