from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution

if TYPE_CHECKING:  # generic in django-stubs only: Django's class takes no subscript
    _InstitutionChoice = forms.ModelChoiceField[Institution]
else:
    _InstitutionChoice = forms.ModelChoiceField


class InstitutionField(_InstitutionChoice):
    def label_from_instance(self, obj: Institution) -> str:
        # The institution's name in the page's language (its __str__ is the French name).
        return str(obj.name)


class IdentifierForm(forms.Form):
    identifier = forms.CharField(
        label=_("Votre adresse ou identifiant"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false", "inputmode": "email"}
        ),
        error_messages={"required": _("Saisissez votre adresse ou votre identifiant.")},
    )
    institution = InstitutionField(
        label=_("Votre établissement"),
        queryset=Institution.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=None,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        required=False,
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none"}
        ),
        error_messages={"required": _("Saisissez le code.")},
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe.")},
    )
