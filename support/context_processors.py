from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject


def support(request):
    """`support_desks`: every institution's desk, open or closed now (read only if a page
    shows it; the footer hook picks the person's institution when it is known)."""

    def desks():
        from institutions.models import Institution

        from .queries import desk

        try:
            return [desk(i) for i in Institution.objects.all()]
        except DatabaseError:  # the footer of an error page must render even then
            return []

    return {"support_desks": SimpleLazyObject(desks)}
