from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Account

from . import assisted
from .models import ResetCode

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Identifiant exact ou partie du nom"), max_length=254, required=False)


class SupportResetForm(forms.Form):
    proofs = forms.MultipleChoiceField(
        label=_("Vérifications d'identité faites"), widget=forms.CheckboxSelectMultiple, required=False
    )
    note = forms.CharField(
        label=_("Note (numéro de ticket, circonstances)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Ajoutez une note, par exemple le numéro du ticket.")},
    )
    channel = forms.ChoiceField(
        label=_("Moyen de réinitialisation"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez un moyen."), "invalid_choice": _("Choisissez un moyen proposé.")},
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.required_proofs = assisted.required_proofs(account.institution)
        self.proof_field.choices = [
            (c["slug"], assisted.check_label(c)) for c in assisted.identity_checks(account.institution)
        ]
        usable = assisted.usable_channels(account)
        choices: list[tuple[str, StrOrPromise]] = []
        if ResetCode.EMAIL in usable:
            masked = assisted.mask_email(usable[ResetCode.EMAIL])
            choices.append((ResetCode.EMAIL, _("Lien à usage unique par courriel, à %(target)s") % {"target": masked}))
        if ResetCode.SMS in usable:
            masked = assisted.mask_mobile(usable[ResetCode.SMS])
            choices.append((ResetCode.SMS, _("Code à usage unique par SMS, au %(target)s") % {"target": masked}))
        choices.append((ResetCode.PRINTED, _("Code imprimé, remis en main propre (valable 10 minutes)")))
        self.channel_field.choices = choices

    @property
    def proof_field(self) -> forms.MultipleChoiceField:
        return cast(forms.MultipleChoiceField, self.fields["proofs"])

    @property
    def channel_field(self) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields["channel"])

    def clean_proofs(self) -> list[str]:
        proofs: list[str] = self.cleaned_data["proofs"]
        if len(proofs) < self.required_proofs:
            raise forms.ValidationError(
                ngettext(
                    "Cochez la vérification faite.",
                    "Cochez au moins %(count)s vérifications faites.",
                    self.required_proofs,
                )
                % {"count": self.required_proofs}
            )
        return proofs


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    reason = forms.CharField(
        label=_("Motif (obligatoire pour refuser)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Indiquez le motif du refus."))
        return data


class SupportDecisionForm(DecisionForm):
    request = forms.IntegerField(widget=forms.HiddenInput)


class ManagerRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Identifiant du membre du personnel"),
        max_length=254,
        error_messages={"required": _("Saisissez l'identifiant de la personne.")},
    )
    justification = forms.CharField(
        label=_("Justification"),
        min_length=assisted.JUSTIFICATION_MIN,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Expliquez pourquoi la personne ne peut pas se débrouiller seule."),
            "min_length": _("La justification doit faire au moins 20 caractères."),
        },
    )
    document = forms.FileField(
        label=_("Justificatif (facultatif)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args: Any, manager: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manager = manager
        self.account: Account | None = None

    def person(self) -> Account:
        """The staff member the valid form names."""
        if self.account is None:
            raise ValueError("person() is for a valid form")
        return self.account

    def clean_identifier(self) -> str:
        identifier: str = self.cleaned_data["identifier"]
        account = assisted.staff_member(self.manager, identifier)
        if account is None:
            raise forms.ValidationError(_("Aucun membre du personnel de votre établissement n'a cet identifiant."))
        if account.pk == self.manager.pk:
            raise forms.ValidationError(_("Vous ne pouvez pas faire cette demande pour votre propre compte."))
        if not account.is_active:
            raise forms.ValidationError(_("Ce compte n'est pas actif : il ne peut pas être réinitialisé."))
        self.account = account
        return identifier

    def clean_document(self) -> "UploadedFile[bytes] | None":
        document = self.cleaned_data.get("document")
        if document:
            try:
                assisted.check_document(document)
            except assisted.Invalid as error:
                raise forms.ValidationError(str(error)) from None
        return document
