"""Deleting in the admin never loses anything silently.

Sections and categories that hold content are protected: the admin's delete page
(single and "delete selected") says what holds them and deletes nothing. A tag in use
is taken off what carries it, exactly as its confirmation page lists, each item
keeping a revision; the articles and jokes themselves stay.
"""

import html

import pytest
from django import forms
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from reversion import create_revision
from reversion.models import Version
from taggit.models import Tag

from bulletin.models import Article, Section
from jokes.models import Category, Joke
from tests.factories import (
    ArticleFactory,
    CategoryFactory,
    ContributionFactory,
    JokeFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


def delete_selected(client, changelist, objects, confirm=False):
    data = {"action": "delete_selected", "_selected_action": [obj.pk for obj in objects]}
    if confirm:
        data["post"] = "yes"
    return client.post(admin_url(changelist), data)


def page_text(response):
    return " ".join(html.unescape(response.content.decode()).split())


def messages_of(response):
    return [html.unescape(str(message)) for message in get_messages(response.wsgi_request)]


# Sections and categories with content are protected


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def sections():
    full = SectionFactory(name="Local news")
    ArticleFactory(section=full, title="Harbour reopens")
    ArticleFactory(section=full, title="A draft", draft=True)
    with_contribution = SectionFactory(name="Letters")
    ContributionFactory(section=with_contribution, title="A visitor's letter")
    empty = SectionFactory(name="Empty")
    return full, with_contribution, empty


def test_a_section_with_articles_cannot_be_deleted(editor_client, sections):
    section = sections[0]
    url = admin_url("bulletin_section_delete", section.pk)

    page = editor_client.get(url)
    assert page.status_code == 200
    assert page.context["protected"] and not page.context["perms_lacking"]
    text = page_text(page)
    assert (
        "Deleting the section 'Local news' would require deleting the following protected "
        "related objects:" in text
    )
    assert "Harbour reopens" in text and "A draft" in text

    confirmed = editor_client.post(url, {"post": "yes"})  # as if the page had a button
    assert confirmed.status_code == 200
    assert confirmed.context["protected"]
    assert Section.objects.filter(pk=section.pk).exists()
    assert Article.objects.filter(section=section).count() == 2


@pytest.mark.parametrize("role", ["editor", "superuser"])
def test_a_section_with_a_visitors_contribution_cannot_be_deleted(client_for, sections, role):
    client = client_for(role)
    section = sections[1]
    url = admin_url("bulletin_section_delete", section.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert "Cannot delete section" in page_text(page)
    assert "article contribution" in page_text(page).lower()
    assert client.post(url, {"post": "yes"}).status_code in (200, 403)
    assert Section.objects.filter(pk=section.pk).exists()
    assert section.contribution_set.count() == 1


def test_an_editor_sees_the_protected_page_for_a_section_with_a_contribution(
    editor_client, sections
):
    page = editor_client.get(admin_url("bulletin_section_delete", sections[1].pk))
    assert page.context["protected"] and not page.context["perms_lacking"]


def test_delete_selected_refuses_the_whole_batch_when_one_section_is_protected(
    client_for, sections
):
    full, with_contribution, empty = sections
    client = client_for("superuser")
    page = delete_selected(client, "bulletin_section_changelist", sections)
    assert page.status_code == 200
    text = page_text(page)
    assert "Cannot delete sections" in text
    assert "would require deleting the following protected related objects" in text
    assert "Harbour reopens" in text and "A visitor's letter" in text

    confirmed = delete_selected(client, "bulletin_section_changelist", sections, confirm=True)
    assert confirmed.status_code == 200
    assert Section.objects.count() == 3  # not even the empty one
    assert Article.objects.filter(section=full).count() == 2


def test_delete_selected_by_an_editor_deletes_no_protected_section(editor_client, sections):
    full, _with_contribution, empty = sections
    page = delete_selected(editor_client, "bulletin_section_changelist", [full, empty])
    assert page.context["protected"]
    delete_selected(editor_client, "bulletin_section_changelist", [full, empty], confirm=True)
    delete_selected(editor_client, "bulletin_section_changelist", sections, confirm=True)
    assert Section.objects.count() == 3
    assert Article.objects.count() == 2


def test_an_empty_section_is_deleted_as_its_page_says(editor_client, sections):
    empty = sections[2]
    page = editor_client.get(admin_url("bulletin_section_delete", empty.pk))
    assert not page.context["protected"]
    assert dict(page.context["model_count"]) == {"sections": 1}
    response = editor_client.post(admin_url("bulletin_section_delete", empty.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Section.objects.filter(pk=empty.pk).exists()


@pytest.fixture
def categories():
    full = CategoryFactory(name="Puns")
    JokeFactory(category=full, text="A published pun about bread, quite crumby.")
    JokeFactory(category=full, pending=True, text="A pending pun about cheese.")
    return full, CategoryFactory(name="Empty")


def test_a_category_with_jokes_cannot_be_deleted(editor_client, categories):
    full, _empty = categories
    url = admin_url("jokes_category_delete", full.pk)
    page = editor_client.get(url)
    assert page.status_code == 200
    assert page.context["protected"] and not page.context["perms_lacking"]
    text = page_text(page)
    assert "would require deleting the following protected related objects" in text
    assert "A published pun about bread" in text and "A pending pun about cheese" in text

    assert editor_client.post(url, {"post": "yes"}).context["protected"]
    assert Category.objects.filter(pk=full.pk).exists()
    assert Joke.objects.filter(category=full).count() == 2


def test_delete_selected_refuses_categories_with_jokes(editor_client, categories):
    page = delete_selected(editor_client, "jokes_category_changelist", categories)
    assert "Cannot delete categories" in page_text(page)
    assert page.context["protected"] and not page.context["perms_lacking"]
    delete_selected(editor_client, "jokes_category_changelist", categories, confirm=True)
    assert Category.objects.count() == 2 and Joke.objects.count() == 2


# Tags in use are taken off what carries them, as the confirmation page lists


@pytest.fixture
def tagged(editor):
    with create_revision():
        lighthouse = ArticleFactory(title="Lighthouse keeper retires", tags=["sea", "people"])
    harbour = ArticleFactory(title="Harbour reopens", tags=["sea"], draft=True)
    joke = JokeFactory(title="Seagull", tags=["sea", "birds"])
    ArticleFactory(title="Untagged")
    Tag.objects.create(name="unused")
    return {"lighthouse": lighthouse, "harbour": harbour, "joke": joke}


def tag(name):
    return Tag.objects.get(name=name)


def test_the_confirmation_page_lists_every_article_and_joke_that_loses_the_tag(
    editor_client, tagged
):
    page = editor_client.get(admin_url("taggit_tag_delete", tag("sea").pk))
    assert page.status_code == 200
    assert not page.context["protected"] and not page.context["perms_lacking"]
    assert dict(page.context["model_count"]) == {
        "tags": 1,
        "articles that lose a tag": 2,
        "jokes that lose a tag": 1,
    }
    text = page_text(page)
    assert "Article “Lighthouse keeper retires” loses the tag (the article stays)" in text
    assert "Article “Harbour reopens” loses the tag (the article stays)" in text
    assert "Joke “Seagull” loses the tag (the joke stays)" in text
    assert "Untagged" not in text
    # Each one is a link to its page, to check before confirming.
    content = page.content.decode()
    for obj in [tagged["lighthouse"], tagged["harbour"]]:
        assert admin_url("bulletin_article_change", obj.pk) in content
    assert admin_url("jokes_joke_change", tagged["joke"].pk) in content
    assert tag("sea")  # looking deletes nothing


def test_deleting_a_tag_takes_it_off_exactly_what_was_listed(editor_client, tagged, editor):
    response = editor_client.post(
        admin_url("taggit_tag_delete", tag("sea").pk), {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not Tag.objects.filter(name="sea").exists()
    lighthouse, harbour, joke = tagged["lighthouse"], tagged["harbour"], tagged["joke"]
    assert sorted(lighthouse.tags.names()) == ["people"]
    assert list(harbour.tags.names()) == []
    assert sorted(joke.tags.names()) == ["birds"]
    assert Article.objects.count() == 3 and Joke.objects.count() == 1
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["birds", "people", "unused"]
    # Each item keeps a revision saying so, by whom, with its tags as they are now.
    for obj in [lighthouse, harbour, joke]:
        latest = Version.objects.get_for_object(obj).first()
        assert latest.revision.comment == "Tag “sea” deleted"
        assert latest.revision.user == editor
        assert latest.revision.version_set.count() == 1 + obj.tags.count()  # the item, its tags
    assert "“sea” taken off 2 articles and 1 joke; each keeps a revision." in messages_of(response)


def test_delete_selected_lists_and_then_deletes_several_tags(editor_client, tagged):
    tags = [tag("sea"), tag("people"), tag("unused")]
    page = delete_selected(editor_client, "taggit_tag_changelist", tags)
    assert page.status_code == 200
    assert dict(page.context["model_count"]) == {
        "tags": 3,
        "articles that lose a tag": 2,
        "jokes that lose a tag": 1,
    }
    text = page_text(page)
    assert text.count("“Lighthouse keeper retires” loses the tag") == 2  # sea and people
    assert "Joke “Seagull” loses the tag" in text

    response = delete_selected(editor_client, "taggit_tag_changelist", tags, confirm=True)
    assert response.status_code == 302
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["birds"]
    assert list(tagged["lighthouse"].tags.names()) == []
    assert Article.objects.count() == 3 and Joke.objects.count() == 1
    comments = Version.objects.get_for_object(tagged["lighthouse"]).values_list(
        "revision__comment", flat=True
    )
    assert comments[0] == "Tags “people”, “sea”, “unused” deleted"


def test_an_unused_tag_is_simply_deleted(editor_client, tagged):
    page = editor_client.get(admin_url("taggit_tag_delete", tag("unused").pk))
    assert dict(page.context["model_count"]) == {"tags": 1}
    editor_client.post(admin_url("taggit_tag_delete", tag("unused").pk), {"post": "yes"})
    assert not Tag.objects.filter(name="unused").exists()
    assert Tag.objects.count() == 3


def test_taking_a_tag_off_jokes_takes_the_right_to_change_jokes(client, tagged):
    """Someone who may delete tags and change articles, but not jokes."""
    user = UserFactory(username="tagger", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_tag", "delete_tag", "change_tag", "change_article"]
        )
    )
    client.force_login(user)
    url = admin_url("taggit_tag_delete", tag("sea").pk)
    page = client.get(url)
    assert page.context["perms_lacking"] == {"jokes (to take the tag off them)"}
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert (
        delete_selected(client, "taggit_tag_changelist", [tag("sea")], confirm=True).status_code
        == 403
    )
    assert sorted(tagged["joke"].tags.names()) == ["birds", "sea"]
    # A tag only on articles is theirs to delete.
    client.post(admin_url("taggit_tag_delete", tag("people").pk), {"post": "yes"})
    assert not Tag.objects.filter(name="people").exists()


def test_authors_and_moderators_cannot_delete_tags(client_for, tagged):
    for role in ["author", "moderator"]:
        client = client_for(role)
        response = client.post(admin_url("taggit_tag_delete", tag("sea").pk), {"post": "yes"})
        assert response.status_code in (302, 403)
        client.logout()
    assert Tag.objects.filter(name="sea").exists()


# Restoring an article's revision after one of its tags was deleted


def form_data(response):
    """What a browser posts back for the admin change form in `response`, as shown."""
    data = {}
    forms_shown = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(n): management[n].value() for n in management.fields})
        forms_shown += inline.formset.forms
    for form in forms_shown:
        for name, field in form.fields.items():
            value, widget = form[name].value(), field.widget
            if isinstance(widget, forms.MultiWidget):
                for index, (part_widget, part) in enumerate(
                    zip(widget.widgets, widget.decompress(value), strict=True)
                ):
                    data[f"{form.add_prefix(name)}_{index}"] = part_widget.format_value(part) or ""
            elif isinstance(widget, forms.CheckboxInput):
                if value:
                    data[form.add_prefix(name)] = "on"
            else:
                shown = widget.format_value(value) if value is not None else ""
                data[form.add_prefix(name)] = shown if shown is not None else ""
    return data


def test_a_revision_whose_tag_was_deleted_says_so_and_later_ones_still_restore(
    editor_client, tagged
):
    lighthouse = tagged["lighthouse"]
    first = Version.objects.get_for_object(lighthouse).order_by("pk").first()
    editor_client.post(admin_url("taggit_tag_delete", tag("sea").pk), {"post": "yes"})

    # The old revision points at the deleted tag: restoring it says so, not a 500.
    url = admin_url("bulletin_article_revision", lighthouse.pk, first.pk)
    page = editor_client.get(url)
    assert page.status_code == 200
    response = editor_client.post(url, form_data(page), follow=True)
    assert response.redirect_chain[-1][0] == admin_url("bulletin_article_history", lighthouse.pk)
    assert "This revision cannot be restored: it refers to something deleted since" in (
        page_text(response)
    )
    assert sorted(lighthouse.tags.names()) == ["people"]  # nothing changed

    # The revision the tag's deletion recorded opens and restores.
    latest = Version.objects.get_for_object(lighthouse).order_by("pk").last()
    url = admin_url("bulletin_article_revision", lighthouse.pk, latest.pk)
    page = editor_client.get(url)
    assert page.status_code == 200
    assert editor_client.post(url, form_data(page)).status_code == 302
    assert sorted(lighthouse.tags.names()) == ["people"]
