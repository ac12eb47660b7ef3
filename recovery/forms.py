from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Account

from . import policy
from .actions import is_current_password, is_institution_address, normalize_mobile, user_inputs


class RequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Votre adresse ou identifiant de messagerie"),
        max_length=254,
        error_messages={"required": _("Saisissez l'adresse ou l'identifiant du compte à récupérer.")},
    )
    channel = forms.ChoiceField(
        label=_("Recevoir"),
        choices=[
            ("email", _("un lien par courriel, à mon adresse de secours")),
            ("sms", _("un code par SMS, sur mon mobile")),
        ],
        widget=forms.RadioSelect,
        initial="email",
        error_messages={
            "required": _("Choisissez courriel ou SMS."),
            "invalid_choice": _("Choisissez courriel ou SMS."),
        },
    )
    contact = forms.CharField(
        label=_("Votre adresse de secours ou votre numéro de mobile, en entier"),
        max_length=254,
        error_messages={"required": _("Saisissez l'adresse de secours ou le numéro de mobile enregistrés.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel, contact = data.get("channel"), (data.get("contact") or "").strip()
        if channel == "email" and contact:
            if "@" not in contact:
                self.add_error(
                    "contact", _("Saisissez une adresse électronique complète, par exemple nom@example.org.")
                )
            elif is_institution_address(contact):
                self.add_error(
                    "contact",
                    _(
                        "Cette adresse est celle de votre établissement, justement inaccessible : "
                        "indiquez votre adresse de secours personnelle."
                    ),
                )
        if channel == "sms" and contact and not normalize_mobile(contact):
            self.add_error("contact", _("Ce numéro n'est pas un numéro de mobile valide, par exemple 06 12 34 56 78."))
        return data


class CodeForm(forms.Form):
    identifier = forms.CharField(max_length=254, widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code reçu (8 caractères)"),
        max_length=20,
        error_messages={"required": _("Saisissez le code reçu.")},
    )


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choisissez un nouveau mot de passe.")},
    )
    confirmation = forms.CharField(
        label=_("Le même, une seconde fois"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Saisissez le mot de passe une seconde fois.")},
    )

    def __init__(self, account: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def clean(self) -> dict[str, Any]:
        """Two identical entries, then the policy (the current password is asked last, by
        the policy, only when nothing else is wrong)."""
        data = super().clean() or {}
        password, confirmation = data.get("password"), data.get("confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("confirmation", _("Les deux saisies sont différentes."))
        elif password and confirmation:
            account = self.account
            problems = policy.check(
                password,
                user_inputs=user_inputs(account),
                current_password_check=lambda typed: is_current_password(account, typed),
            )
            for problem in problems:
                self.add_error("password", problem.message)
        return data


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(choices=[("email", "email"), ("sms", "sms")], widget=forms.HiddenInput)
    value = forms.CharField(
        label=_("Nouvelle adresse de secours ou nouveau numéro de mobile"),
        max_length=254,
        error_messages={"required": _("Saisissez la nouvelle adresse ou le nouveau numéro.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        value = (data.get("value") or "").strip()
        if data.get("channel") == "email" and value:
            try:
                forms.EmailField().clean(value)
            except forms.ValidationError:
                self.add_error("value", _("Saisissez une adresse électronique complète, par exemple nom@example.org."))
                return data
            if is_institution_address(value):
                self.add_error(
                    "value",
                    _(
                        "Une adresse de l'établissement ne peut pas servir de secours : "
                        "choisissez une adresse personnelle."
                    ),
                )
            data["value"] = value.lower()
        elif data.get("channel") == "sms" and value:
            number = normalize_mobile(value)
            if not number:
                self.add_error(
                    "value", _("Ce numéro n'est pas un numéro de mobile valide, par exemple 06 12 34 56 78.")
                )
            data["value"] = number
        return data


class ChannelCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code reçu (6 chiffres)"), max_length=12, error_messages={"required": _("Saisissez le code reçu.")}
    )
