"""The link checker's findings and verdicts in words (status.linkcheck stays pure)."""

from django.utils.translation import gettext_lazy as _

from . import linkcheck

VERDICTS = {
    linkcheck.OFFICIAL: _("Officiel"),
    linkcheck.CAUTION: _("Non officiel"),
    linkcheck.DANGER: _("Dangereux"),
    linkcheck.INVALID: _("Adresse invalide"),
}

SUMMARIES = {
    linkcheck.OFFICIAL: _("Ce lien mène à une page officielle de nos établissements."),
    linkcheck.CAUTION: _(
        "Ce lien ne mène pas à une page officielle de nos établissements. "
        "N'y saisissez jamais votre identifiant ni votre mot de passe."
    ),
    linkcheck.DANGER: _(
        "Attention : ce lien imite une adresse officielle ou cache sa vraie destination. "
        "Ne l'ouvrez pas et n'y saisissez rien."
    ),
    linkcheck.INVALID: _("Ce texte n'est pas une adresse de page web."),
}

MESSAGES = {
    "empty": _("Collez l'adresse complète du lien, par exemple https://www.univ-poitiers.fr/."),
    "invalid": _("Cette adresse est mal formée : un navigateur ne saurait pas où aller."),
    "scheme": _("« %(scheme)s: » n'est pas une adresse de page web ; un tel lien peut lancer un programme."),
    "userinfo": _(
        "Le texte « %(shown)s » avant « @ » est ignoré par le navigateur : le lien mène en réalité à %(host)s."
    ),
    "punycode": _("Le nom %(unicode)s contient des caractères non latins ; son vrai nom est %(ascii)s."),
    "homograph": _("Des lettres de cette adresse imitent des lettres latines (homoglyphes) : %(unicode)s = %(ascii)s."),
    "ip_address": _(
        "Le lien mène à une adresse numérique (%(host)s) et non à un nom : aucune page officielle ne fait ça."
    ),
    "embedded": _("Le nom officiel %(official)s est utilisé comme décor : le site réel est %(real)s."),
    "lookalike": _("%(host)s ressemble à %(official)s, mais ce n'est pas la même adresse."),
    "name_elsewhere": _("%(official)s apparaît plus loin dans le lien, mais le navigateur va chez %(host)s."),
    "shortener": _(
        "%(host)s est un raccourcisseur de liens : la vraie destination est cachée. "
        "Nos établissements n'en utilisent pas dans leurs messages."
    ),
    "same_domain": _(
        "%(host)s appartient au domaine %(domain)s mais ne figure pas parmi nos pages officielles. "
        "Passez plutôt par la page d'accueil de l'établissement."
    ),
    "unofficial": _("%(host)s n'est pas une adresse de nos établissements."),
    "not_https": _("Le lien n'est pas chiffré (http:// au lieu de https://) : n'y saisissez rien."),
    "port": _("Le lien précise un port inhabituel (%(port)s) : nos pages officielles n'en utilisent pas."),
    "open_redirect": _("Le lien passe par une page officielle pour vous renvoyer vers %(target)s."),
}


def describe(finding: linkcheck.Finding) -> str:
    return str(MESSAGES[finding.code]) % finding.params
