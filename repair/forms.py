"""Public forms: labels on every field, errors beside their field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.identifiers import validate_resident_id


class VerifyForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=100)
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=32,
        help_text=_("18 characters, as on your identity card."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
    )

    def clean_id_number(self):
        return validate_resident_id(self.cleaned_data["id_number"]).number


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("One-time code"),
        max_length=12,
        help_text=_("The 6 digits we sent you."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
