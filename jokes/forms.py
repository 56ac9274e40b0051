from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Report


class VoteForm(forms.Form):
    VALUES = {"up": 1, "down": -1, "clear": 0}
    vote = forms.ChoiceField(choices=[(key, key) for key in VALUES])

    @property
    def value(self):
        return self.VALUES[self.cleaned_data["vote"]]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should this joke not be here?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("Anything else the moderators should know (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_details(self):
        return self.cleaned_data["details"].replace("\x00", "").strip()
