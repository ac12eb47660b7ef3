from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution, Platform
from recovery.actions import is_institution_address, normalize_mobile

from . import images
from .hours import PARIS
from .models import Ticket

TEXT_MAX = 5000


class ScreenshotField(forms.FileField):
    """A screenshot, checked by decoding it (support/images.py); cleans to images.Clean."""

    def clean(self, data: object, initial: object = None) -> images.Clean | None:
        upload = super().clean(data, initial)
        if not upload:
            return None
        try:
            return images.clean(upload)
        except images.Rejected as problem:
            raise forms.ValidationError(str(problem)) from None


def _screenshot_field() -> ScreenshotField:
    return ScreenshotField(
        label=_("Capture d'écran (facultatif)"),
        help_text=_("PNG, JPEG ou WebP, 5 Mo au plus. Masquez tout mot de passe avant de l'envoyer."),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )


class ContactForm(forms.Form):
    identifier = forms.CharField(
        label=_("Votre identifiant de messagerie"),
        max_length=254,
        error_messages={"required": _("Saisissez votre adresse ou identifiant de messagerie.")},
    )
    platform = forms.ModelChoiceField(
        label=_("Votre messagerie"),
        queryset=Platform.objects.select_related("institution"),
        required=False,
        empty_label=_("Je ne sais pas"),
        to_field_name="slug",
    )
    nature = forms.ChoiceField(
        label=_("Nature du problème"),
        choices=[("", _("Choisissez…")), *Ticket.NATURES],
        error_messages={"required": _("Choisissez la nature du problème.")},
    )
    occurred_at = forms.DateTimeField(
        label=_("Heure approximative du problème (heure de Paris)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Indiquez une date et une heure, par exemple 06/12/2026 08:05.")},
    )
    description = forms.CharField(
        label=_("Décrivez ce qui se passe"),
        help_text=_("Ce que vous faisiez, ce qui s'est affiché. N'écrivez jamais votre mot de passe."),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    screenshot = _screenshot_field()
    urgent = forms.BooleanField(label=_("Cela bloque un travail urgent"), required=False)
    contact_channel = forms.ChoiceField(
        label=_("Où vous répondre (un contact qui fonctionne même sans votre messagerie)"),
        choices=Ticket.CONTACT_CHANNELS,
        widget=forms.RadioSelect,
        initial=Ticket.EMAIL,
        error_messages={"required": _("Choisissez courriel ou SMS.")},
    )
    contact = forms.CharField(
        label=_("Adresse personnelle ou numéro de mobile"),
        max_length=254,
        error_messages={"required": _("Indiquez où vous répondre : une adresse personnelle ou un mobile.")},
    )
    incident = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    ctx = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)
    include_context = forms.BooleanField(label=_("Joindre ces informations à ma demande"), required=False, initial=True)

    def clean_occurred_at(self) -> datetime | None:
        value: datetime | None = self.cleaned_data.get("occurred_at")
        if value is None:
            return None
        if timezone.is_naive(value):
            value = value.replace(tzinfo=PARIS)
        if value > timezone.now() + timedelta(minutes=5) or value < timezone.now() - timedelta(days=60):
            raise forms.ValidationError(_("Indiquez une heure des soixante derniers jours."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        channel, contact = data.get("contact_channel"), (data.get("contact") or "").strip()
        if channel == Ticket.EMAIL and contact:
            if "@" not in contact or len(contact.split("@")[-1]) < 3:
                self.add_error(
                    "contact", _("Saisissez une adresse électronique complète, par exemple nom@example.org.")
                )
            elif is_institution_address(contact):
                self.add_error(
                    "contact",
                    _("Cette adresse est celle de votre établissement : donnez une adresse personnelle ou un mobile."),
                )
            else:
                data["contact"] = contact
        if channel == Ticket.SMS and contact:
            mobile = normalize_mobile(contact)
            if not mobile:
                self.add_error(
                    "contact", _("Ce numéro n'est pas un numéro de mobile valide, par exemple 06 12 34 56 78.")
                )
            else:
                data["contact"] = mobile
        return data


class FollowUpForm(forms.Form):
    body = forms.CharField(
        label=_("Ajouter un message"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    screenshot = _screenshot_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and not (data.get("body") or "").strip() and not data.get("screenshot"):
            raise forms.ValidationError(_("Écrivez un message ou joignez une capture."))
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Réponse à la personne"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    status = forms.ChoiceField(label=_("Puis passer le ticket à"), choices=Ticket.STATUSES, initial=Ticket.WAITING)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Note interne (jamais montrée à la personne)"), max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=Ticket.STATUSES)


class PriorityForm(forms.Form):
    urgency = forms.TypedChoiceField(label=_("Urgence"), choices=Ticket.URGENCIES, coerce=int)
    impact = forms.TypedChoiceField(label=_("Impact"), choices=Ticket.IMPACTS, coerce=int)


class FilterForm(forms.Form):
    STATUS_CHOICES = [("ouverts", _("Ouverts")), *Ticket.STATUSES, ("tous", _("Tous"))]
    q = forms.CharField(label=_("Numéro ou identifiant"), required=False, max_length=254)
    status = forms.ChoiceField(label=_("Statut"), choices=STATUS_CHOICES, required=False)
    institution = forms.ChoiceField(label=_("Établissement"), required=False)
    platform = forms.ChoiceField(label=_("Plateforme"), required=False)
    nature = forms.ChoiceField(label=_("Nature"), choices=[("", _("Toutes")), *Ticket.NATURES], required=False)

    def __init__(
        self,
        data: QueryDict | None = None,
        *,
        institutions: Iterable[Institution] = (),
        platforms: Iterable[Platform] = (),
    ) -> None:
        super().__init__(data)
        # Both are the ChoiceFields declared above (the form's own copies).
        institution = cast(forms.ChoiceField, self.fields["institution"])
        institution.choices = [("", _("Tous")), *[(i.slug, i.short_name) for i in institutions]]
        platform = cast(forms.ChoiceField, self.fields["platform"])
        platform.choices = [("", _("Toutes")), *[(p.slug, p.name) for p in platforms]]


def local_input(moment: datetime | None) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") if moment else ""
