"""What the sign-in page shows around the form: who trusts it, the mini-FAQ, the right hint.

The hint follows the person: the identifier's domain once typed (on the server at the
password step; while typing with signin.js, from the `domain_hints` map), or the profile
chosen in the mini-FAQ (`?profil=<slug>`, a plain link, so it works without JavaScript).
"""

import json

from django.http import HttpRequest

from institutions import models, queries, routing


def context(request: HttpRequest, identifier: str = "") -> dict[str, object]:
    public = None
    if identifier:
        result = queries.route(identifier)
        if result.status == routing.MATCHED:
            public = result.target
    profiles = list(models.Profile.objects.prefetch_related("publics"))
    chosen = request.GET.get("profil", "")
    profile = next((p for p in profiles if p.slug == chosen), None)
    if public is None and profile is not None:
        publics = list(profile.publics.all())
        public = publics[0] if len(publics) == 1 else None
    hints = {domain: pub.identifier_format for domain, pub in queries.domain_map().items()}
    return {
        "trusted": models.Institution.objects.all(),
        "faq": models.FaqEntry.objects.all()[:4],
        "profiles": profiles,
        "chosen_profile": profile,
        "hint_public": public,
        "domain_hints": json.dumps(hints, ensure_ascii=False, sort_keys=True),
    }
