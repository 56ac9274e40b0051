"""The public pages' Jinja2 templates (portal/templating.py): what Django's
templates gave them, they still give."""

import re

import pytest
from django.template import engines
from django.template.loader import get_template
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import ArticleFactory, JokeFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_public_pages_are_jinja2_and_the_admin_keeps_django_templates():
    assert get_template("base.html").backend.name == "jinja2"
    assert get_template("admin/index.html").backend.name == "django"


def test_autoescape_is_always_on():
    template = engines["jinja2"].from_string("{{ text }}|{{ text|linebreaks }}")
    assert template.render({"text": "<script>x</script>"}) == (
        "&lt;script&gt;x&lt;/script&gt;|<p>&lt;script&gt;x&lt;/script&gt;</p>"
    )


def test_one_csrf_token_for_every_form_of_a_page(client):
    JokeFactory.create_batch(3)
    html = client.get(reverse("jokes:joke-list")).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) >= 4  # three vote forms and the safe-mode switch
    assert len(set(tokens)) == 1


def test_a_views_own_value_wins_over_the_context_processors(client):
    """The home page names the header's sections itself (HomeView)."""
    ArticleFactory(section=SectionFactory(name="Weather"))
    response = client.get(reverse("portal:home"))
    assert response.context["nav_sections"] == [
        section for section, _articles in response.context["sections"]
    ]
    assert "Weather</a>" in response.content.decode()


def test_the_test_client_sees_the_template_and_its_context(client):
    response = client.get(reverse("bulletin:article-list"))
    assert "bulletin/article_list.html" in [t.name for t in response.templates]
    assert response.context["site_name"]


def test_dates_are_shown_in_the_sites_time_zone(settings):
    from datetime import UTC, datetime

    settings.TIME_ZONE = "Asia/Shanghai"
    template = engines["jinja2"].from_string("{{ when|date('Y-m-d H:i') }}")
    assert template.render({"when": datetime(2026, 1, 1, 20, 0, tzinfo=UTC)}) == "2026-01-02 04:00"


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_dates_read_as_djangos_date_filter_shows_them(settings, zone):
    """The filter's quick ways (ISO 8601, a day's format made once) give what Django's
    own |date gives, in the site's time zone, for every format the pages use."""
    from datetime import UTC, datetime, timedelta

    from django.template.defaultfilters import date as django_date
    from django.utils.timezone import template_localtime

    from portal.templating import date

    settings.TIME_ZONE = zone
    formats = ["c", "j F Y", "F Y", "F", "Y", "j F Y, H:i", "D, j M Y", r"j \o\f F", None]
    start = datetime(2026, 3, 7, 23, 30, tzinfo=UTC)  # across a change of summer time
    for hours in range(0, 24 * 60, 7):
        when = start + timedelta(hours=hours)
        for format_string in formats:
            expected = django_date(template_localtime(when), format_string)
            assert date(when, format_string) == expected, (when, format_string)
    assert date(None, "j F Y") == ""
    assert date(start.date(), "j F Y") == "7 March 2026"


@pytest.mark.parametrize(
    "source",
    [
        '{{ _("Newest jokes") }}',
        '{{ _("Joke #%(number)s", number="<b>7</b>") }}',
        '{{ _("100%% funny") }}',
        '{{ _("by %(name)s", name=name) }}|{{ _("by %(name)s", name="Ann") }}',
        '{{ _("yes,no,maybe") }}',
    ],
)
@pytest.mark.parametrize("language", ["en", "de"])
def test_translations_read_as_jinjas_i18n_gives_them(source, language):
    """`_()` is the site's own (templating.template_gettext): it answers what Jinja's
    i18n extension with Django's gettext answers, in each language (the second language
    after the first: a translation is remembered per language)."""
    import jinja2
    from django.utils import translation
    from django.utils.translation import gettext, ngettext

    reference = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    reference.install_gettext_callables(gettext, ngettext, newstyle=True)
    ours = engines["jinja2"].from_string(source)
    context = {"name": "<script>x</script>"}
    with translation.override(language):
        expected = reference.from_string(source).render(context)
        assert ours.render(context) == expected
    assert "<script>" not in expected and "<b>" not in expected
    if "maybe" in source:
        assert expected == ("yes,no,maybe" if language == "en" else "Ja,Nein,Vielleicht")


def test_a_render_shows_the_prefix_language_and_time_zone_django_gives():
    """A render reads them once (portal/rendering.py): what it shows is what Django's
    own functions give, under another script prefix, language and time zone."""
    from datetime import UTC, datetime

    from django.template.defaultfilters import date as django_date
    from django.urls import set_script_prefix
    from django.utils import timezone, translation
    from django.utils.timezone import template_localtime

    source = "{{ get_language() }}|{{ url('portal:home') }}|{{ when|date('Y-m-d H:i') }}|"
    source += "{{ when|date('j F Y') }}|{{ _('yes,no,maybe') }}"
    template = engines["jinja2"].from_string(source)
    when = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
    try:
        set_script_prefix("/site/")
        with translation.override("de"), timezone.override("Asia/Tokyo"):
            local = template_localtime(when)
            expected = [
                "de",
                "/site/",
                django_date(local, "Y-m-d H:i"),
                django_date(local, "j F Y"),
                "Ja,Nein,Vielleicht",
            ]
            assert template.render({"when": when}).split("|") == expected
        assert expected[2] == "2026-01-02 05:00"
        after = template.render({"when": when}).split("|")
        assert after[:3] == ["en", "/site/", "2026-01-01 20:00"]
    finally:
        set_script_prefix("/")


def test_local_times_inside_a_render_are_djangos():
    from datetime import UTC, date, datetime

    from django.utils import timezone
    from django.utils.timezone import template_localtime

    from portal import rendering

    class Kept(datetime):
        convert_to_local_time = False

    values = [
        datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 12, 0),  # naive: left as it is
        Kept(2026, 7, 1, 12, 0, tzinfo=UTC),
        date(2026, 7, 1),
        "text",
    ]
    with timezone.override("America/New_York"):
        expected = [template_localtime(value) for value in values]
        with rendering.render():
            ours = [rendering.localtime(value) for value in values]
    assert ours == expected
    assert [getattr(value, "tzinfo", None) for value in ours] == [
        getattr(value, "tzinfo", None) for value in expected
    ]
    assert expected[0].hour == 8


@given(st.text(alphabet=st.sampled_from("ab <>&\"'\n\r\t\x0b\x0c\u2028é书")))
@hypothesis_settings(max_examples=300)
def test_linebreaks_reads_as_djangos_filter(text):
    """|linebreaks is the site's own (templating.linebreaks): Django's output, to the
    character, for text with markup, quotes and every kind of line break."""
    from django.template.defaultfilters import linebreaks_filter
    from django.utils.safestring import mark_safe

    from portal.templating import linebreaks

    assert linebreaks(text) == linebreaks_filter(text, autoescape=True)
    safe = mark_safe(text)  # noqa: S308 - what the filter must leave unescaped
    assert linebreaks(safe) == linebreaks_filter(safe, autoescape=True)
