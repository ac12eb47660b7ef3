from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def site(request):
    """What every page's header and footer need: the other language's URL, the site name."""
    current = get_language()
    path = request.get_full_path()
    others = [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES if code != current]
    return {"site_name": settings.GUICHET_SITE_NAME, "other_languages": others}
