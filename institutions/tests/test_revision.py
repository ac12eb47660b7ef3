"""What a process keeps per set-up revision (institutions/revision.py): built once per
revision, even by many threads at once, and rebuilt as soon as the set-up changes."""

import threading

import pytest

from institutions import queries
from institutions.models import MailDomain, Revision
from institutions.revision import PerRevision, current_revision

pytestmark = pytest.mark.django_db


def test_built_once_per_revision_and_again_after_a_change():
    builds: list[int] = []
    held = PerRevision(lambda: builds.append(current_revision()) or len(builds))
    assert held.get() == held.get() == 1
    Revision.bump()
    assert held.get() == 2 and builds == [builds[0], builds[0] + 1]


def test_many_threads_at_once_build_it_once():
    builds: list[int] = []
    barrier = threading.Barrier(8)
    held = PerRevision(lambda: builds.append(1) or len(builds))
    seen: list[int] = []

    def ask() -> None:
        barrier.wait()
        seen.append(held.get())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [1] and seen == [1] * 8


def test_the_revision_is_read_at_most_once_per_ttl(settings, django_assert_num_queries):
    settings.GUICHET_REVISION_TTL = 3600
    current_revision()
    with django_assert_num_queries(0):
        current_revision()


def test_a_new_mail_domain_routes_at_once(poitiers):
    assert queries.route("someone@new.example").target is None
    public = MailDomain.objects.first().public
    MailDomain.objects.create(domain="new.example", public=public)  # bumps the revision
    assert queries.route("someone@new.example").target == public
