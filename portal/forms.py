from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bulletin.models import Section
from jokes.models import JOKE_MAX_LENGTH, Category, Joke, fingerprint

from .context_processors import header_sections, joke_categories
from .models import Contribution


def clean_plain_text(value):
    """Visitor text is stored as plain text: no NUL bytes, Windows line ends unified,
    outer spaces trimmed. HTML stays as typed and is escaped wherever it is shown."""
    return (value or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


class SubmissionForm(forms.ModelForm):
    """What every visitor submission shares: name, private e-mail, and a honeypot."""

    # Hidden from people by the stylesheet; bots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise ValidationError(
                _("This looks automated; please leave that field empty."), code="honeypot"
            )
        return ""

    def clean_submitter_name(self):
        return clean_plain_text(self.cleaned_data["submitter_name"])


class JokeSubmissionForm(SubmissionForm):
    class Meta:
        model = Joke
        fields = ["text", "title", "category", "submitter_name", "submitter_email"]
        labels = {
            "text": _("Your joke"),
            "title": _("Title (optional)"),
            "submitter_name": _("Your name (optional)"),
            "submitter_email": _("Your e-mail (optional)"),
        }
        help_texts = {
            "text": _("Plain text; line breaks are kept. At most 5,000 characters."),
            "submitter_name": _("Shown with the joke."),
            "submitter_email": _("Never shown: we write to tell you the decision."),
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 6, "maxlength": JOKE_MAX_LENGTH})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = _("Choose a category")

    def clean_title(self):
        return clean_plain_text(self.cleaned_data["title"])

    def clean_text(self):
        text = clean_plain_text(self.cleaned_data["text"])
        if len(text) < 10:
            raise ValidationError(
                _("That is a bit short for a joke (10 characters at least)."), code="too_short"
            )
        text_print = fingerprint(text)
        if not text_print:
            raise ValidationError(_("A joke needs some words."), code="no_words")
        self._refuse_duplicate(text_print)
        return text

    @staticmethod
    def _refuse_duplicate(text_print):
        """The same joke published or pending is refused; only a public one is linked
        (looked for first: which of several a plain query returns would depend on the
        database's ordering of a NULL publish time)."""
        same = Joke.objects.filter(fingerprint=text_print)
        public = same.published().first()
        if public is not None:
            message = format_html(
                _('We already have this joke: <a href="{}">see it here</a>.'),
                public.get_absolute_url(),
            )
        elif same.filter(status=Joke.Status.PENDING).exists():
            message = _("Somebody has already sent in this joke; it is waiting for a moderator.")
        elif same.filter(status=Joke.Status.PUBLISHED).exists():  # scheduled, or hidden
            message = _("We already have this joke.")
        else:
            return
        raise ValidationError(message, code="duplicate")


class ContributionForm(SubmissionForm):
    class Meta:
        model = Contribution
        fields = ["title", "section", "text", "submitter_name", "submitter_email"]
        labels = {
            "title": _("Headline"),
            "text": _("Your article"),
            "submitter_name": _("Your name (optional)"),
            "submitter_email": _("Your e-mail (optional)"),
        }
        help_texts = {
            "text": _("Plain text. Leave a blank line between paragraphs."),
            "submitter_name": _("Shown with the article as its source."),
            "submitter_email": _("Never shown: we write to tell you the decision."),
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].empty_label = _("Choose a section")

    def clean_title(self):
        title = clean_plain_text(self.cleaned_data["title"])
        if not title:
            raise ValidationError(_("A headline is needed."), code="required")
        return title

    def clean_text(self):
        text = clean_plain_text(self.cleaned_data["text"])
        if len(text) < 50:
            raise ValidationError(
                _("Please write a little more (50 characters at least)."), code="too_short"
            )
        return text


class SearchForm(forms.Form):
    """The search page's query and filters (sent by GET; every field optional)."""

    KINDS = [("", _("Everything")), ("articles", _("Headlines")), ("jokes", _("Jokes"))]

    q = forms.CharField(label=_("Search for"), required=False)
    kind = forms.ChoiceField(label=_("Show"), choices=KINDS, required=False)
    section = forms.ModelChoiceField(
        Section.objects.all(),  # valid when offered: clean_section()
        label=_("Section"),
        to_field_name="slug",
        required=False,
        empty_label=_("All sections"),
    )
    category = forms.ModelChoiceField(
        Category.objects.all(),
        label=_("Joke category"),
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The options from the cache, as the header and the jokes' menu show them: the
        # two queries and Django's widget templates had been a tenth of a search. A
        # section is valid when it is offered (those with something published), so
        # that the form never filters by one its select cannot show (clean_section).
        self.sections = header_sections()
        for name, objects in (("section", self.sections), ("category", joke_categories())):
            field = self.fields[name]
            field.choices = [("", field.empty_label), *((o.slug, o.name) for o in objects)]

    def clean_section(self):
        # Checked against the cached list rather than by a queryset of those offered,
        # which had to be built anew for every search.
        section = self.cleaned_data["section"]
        if section and section.pk not in {offered.pk for offered in self.sections}:
            field = self.fields["section"]
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")
        return section

    def clean(self):
        cleaned = super().clean()
        kind, section, category = (cleaned.get(f) for f in ("kind", "section", "category"))
        if section and category:
            raise ValidationError(
                _("Choose a section (headlines) or a category (jokes), not both."),
                code="section_and_category",
            )
        if section and kind == "jokes" or category and kind == "articles":
            raise ValidationError(
                _("Sections hold headlines and categories hold jokes: that filter does not "
                  "go with what you chose to show."),
                code="kind_mismatch",
            )  # fmt: skip
        return cleaned
