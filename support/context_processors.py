from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

if TYPE_CHECKING:
    from .queries import Desk


def support(request: HttpRequest) -> dict[str, object]:
    """`support_desks`: every institution's desk, open or closed now (read only if a page
    shows it; the footer hook picks the person's institution when it is known)."""

    def desks() -> list[Desk]:
        from institutions.models import Institution

        from .queries import desk

        try:
            return [desk(i) for i in Institution.objects.all()]
        except DatabaseError:  # the footer of an error page must render even then
            return []

    return {"support_desks": SimpleLazyObject(desks)}
