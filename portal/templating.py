"""The public pages' templates: Jinja2 (jinja_templates/ at the project's root).

Under cProfile, Django's own template language took two thirds of a listing's time;
Jinja2 compiles each template to Python once. Measured without the profiler, the pages
with the most markup (home, jokes) take a third less time, a list of headlines about
5% less (README.md, Performance). The admin and the other apps keep Django's templates
(templates/). This module gives the pages what Django's tags gave them: addresses,
static files, translations, dates in the site's time zone, the CSRF field, and the
`template_rendered` signal that the test client reads a response's context from.
"""

import datetime
import html
import re
from functools import lru_cache
from types import SimpleNamespace

import jinja2
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.csrf import get_token
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.backends import jinja2 as django_jinja2
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaks_filter, truncatechars
from django.template.defaulttags import querystring as querystring_tag
from django.templatetags.static import static
from django.test.signals import template_rendered
from django.utils.html import format_html
from django.utils.safestring import SafeData
from django.utils.translation import gettext, ngettext, npgettext, pgettext
from markupsafe import Markup

from portal import links, rendering
from portal.templatetags.portal_tags import canonical_url, ld_json

# The format characters of Django's dateformat that read only the day, not the time.
DAY_ONLY = frozenset("bdDEFjlLmMnNoStwWyYz")


def date(value, format_string=None):
    """Django's |date filter, in the site's time zone as Django's templates show it.

    A list of headlines shows each one's day twice ("c" and "j F Y"), and Django's
    filter parses the format and translates the month every time: that was a sixth of
    a listing's time. "c" is the ISO 8601 form Django gives; a format that shows only
    the day is made once per day, format and language.
    """
    if not value:
        return ""
    value = rendering.localtime(value)
    if not isinstance(value, datetime.datetime):  # a date, or what Django makes of others
        return date_filter(value, format_string)
    if format_string == "c":
        return value.isoformat()
    if (
        format_string
        and "\\" not in format_string
        and all(char in DAY_ONLY for char in format_string if char.isalpha())
    ):
        return day_format(value.date(), format_string, rendering.language())
    return date_filter(value, format_string)


@lru_cache(maxsize=4096)
def day_format(day, format_string, language):  # language: part of the key only
    return date_filter(day, format_string)


NEWLINES = re.compile(r"\r\n|\r")
PARAGRAPHS = re.compile(r"\n{2,}")


def linebreaks(value):
    """Django's |linebreaks: the text escaped, paragraphs in <p>, single line breaks as
    <br>. Django's runs each piece through its lazy-aware wrappers, and twenty jokes'
    texts had taken a fifth of a list of jokes' rendering. Text already marked safe
    goes to Django's, which leaves it unescaped. Tests compare the two."""
    if isinstance(value, SafeData):
        return linebreaks_filter(value, autoescape=True)
    paragraphs = PARAGRAPHS.split(NEWLINES.sub("\n", str(value)))
    return Markup(  # noqa: S704 - every paragraph escaped here
        "\n\n".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    )


def querystring(request, **changes):
    """Django's {% querystring %}: this page's query string with `changes`."""
    return querystring_tag(SimpleNamespace(request=request), **changes)


def template_gettext(message, **variables):
    """`_()` in the templates: what Jinja's i18n extension gives (the translation, as
    markup, formatted with `variables` escaped), in one call where Jinja made three, and
    each message translated once per language. A page says `_()` about thirty times:
    that had been a sixth of the time a list of jokes took to render."""
    # Our own catalogue's text is markup, as for Jinja's i18n; `variables` are escaped.
    return Markup(translated(message, rendering.language())) % variables  # noqa: S704


@lru_cache(maxsize=4096)
def translated(message, language):  # language: part of the key only
    return gettext(message)


@receiver(setting_changed)
def forget_translations(setting, **kwargs):
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"):
        translated.cache_clear()


def label_tag(field):
    """A form field's BoundField.label_tag(), written here: Django renders it through
    its form template (django/forms/label.html) in Django's own template engine, and
    the search page's four labels had cost it a tenth of its time. Tests compare the
    two."""
    suffix = field.field.label_suffix
    suffix = field.form.label_suffix if suffix is None else suffix
    contents = field.label
    if suffix and contents and contents[-1] not in gettext(":?.!"):
        contents = format_html("{}{}", contents, suffix)
    return format_html('<label for="{}">{}</label>', field.id_for_label, contents)


class CsrfInput:
    """The CSRF form field: the token is made once a page, at the first form. Django's
    Jinja2 backend made a new one for every form, and a list of jokes has one a joke."""

    def __init__(self, request):
        self.request = request
        self.html = None

    def __html__(self):
        if self.html is None:
            self.html = format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">',
                get_token(self.request),
            )
        return self.html

    __str__ = __html__


def environment(**options):
    # Always escaped: visitor text is shown on these pages.
    options.pop("autoescape", None)
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext,
                                  npgettext=npgettext)  # fmt: skip
    env.globals.update(
        _=template_gettext,
        url=links.reversed_url,
        static=static,
        canonical_url=lambda request: canonical_url({"request": request}),
        querystring=querystring,
        get_language=rendering.language,
        label_tag=label_tag,
    )
    env.filters.update(
        date=date,
        linebreaks=linebreaks,
        truncatechars=truncatechars,
        ld_json=ld_json,
    )
    return env


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 backend, with the context of Django's templates: context
    processors first, so that a view's own value wins (the home page's header
    sections), one CSRF token a page, and undefined names empty in development too."""

    def __init__(self, params):
        params = {**params, "OPTIONS": {"undefined": jinja2.Undefined, **params["OPTIONS"]}}
        super().__init__(params)

    def from_string(self, template_code):
        return Template(self.env.from_string(template_code), self)

    def get_template(self, template_name):
        try:
            return Template(self.env.get_template(template_name), self)
        except jinja2.TemplateNotFound as exc:
            raise TemplateDoesNotExist(exc.name, backend=self) from exc
        except jinja2.TemplateSyntaxError as exc:
            new = TemplateSyntaxError(exc.args)
            new.template_debug = django_jinja2.get_exception_info(exc)
            raise new from exc


class Template(django_jinja2.Template):
    def __init__(self, template, backend):
        super().__init__(template, backend)
        self.name = template.name  # what the test client lists in response.templates

    def render(self, context=None, request=None):
        values = {"site_name": settings.SITE_NAME}
        if request is not None:
            values["request"] = request
            values["csrf_input"] = CsrfInput(request)
            values["csrf_token"] = django_jinja2.csrf_token_lazy(request)
            for context_processor in self.backend.template_context_processors:
                values.update(context_processor(request))
        values.update(context or {})
        if template_rendered.has_listeners():  # the test client is listening
            template_rendered.send(sender=self, template=self, context=values)
        try:
            with rendering.render():
                return self.template.render(values)
        except jinja2.TemplateSyntaxError as exc:
            new = TemplateSyntaxError(exc.args)
            new.template_debug = django_jinja2.get_exception_info(exc)
            raise new from exc
