from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .linkcheck import MAX_LENGTH

MAX_TEXT = 100_000


class LinkForm(forms.Form):
    url = forms.CharField(
        label=_("Le lien à vérifier"),
        help_text=_("Copiez le lien (clic droit → « Copier l'adresse du lien ») et collez-le ici, sans l'ouvrir."),
        max_length=MAX_LENGTH,
        error_messages={"required": _("Collez un lien à vérifier.")},
    )


class ReportForm(forms.Form):
    message = forms.CharField(
        label=_("Le message suspect"),
        help_text=_(
            "Collez le message entier. Mieux encore, avec ses en-têtes : dans votre messagerie, "
            "« Afficher la source » ou « Afficher l'original »."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        max_length=MAX_TEXT,
    )
    eml = forms.FileField(
        label=_("… ou le fichier du message (.eml)"),
        help_text=_("Enregistrez le message sous forme de fichier (« Enregistrer sous… ») puis choisissez-le ici."),
        required=False,
    )
    identifier = forms.EmailField(
        label=_("Votre adresse électronique de l'établissement"),
        help_text=_("Facultatif : pour que l'équipe sache qui a reçu ce message."),
        required=False,
        max_length=254,
    )
    contact = forms.CharField(
        label=_("Comment vous recontacter (facultatif)"),
        help_text=_("Une adresse ou un numéro de téléphone, si l'équipe doit vous poser une question."),
        required=False,
        max_length=200,
    )

    def clean_eml(self) -> bytes | None:
        upload = self.cleaned_data.get("eml")
        if upload is None:
            return None
        if upload.size > settings.GUICHET_STATUS_REPORT_MAX_BYTES:
            raise ValidationError(
                _("Ce fichier est trop gros (%(max)s Ko au plus). Collez plutôt le texte du message."),
                params={"max": settings.GUICHET_STATUS_REPORT_MAX_BYTES // 1024},
            )
        content: bytes = upload.read(settings.GUICHET_STATUS_REPORT_MAX_BYTES + 1)
        return content

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("message", "").strip() and not data.get("eml"):
            raise ValidationError(_("Collez le message suspect ou choisissez son fichier .eml."))
        return data
