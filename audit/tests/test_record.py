import datetime

import pytest

from audit.actions import record
from audit.models import Event

pytestmark = pytest.mark.django_db


def test_an_event_is_written_with_who_what_and_where(account):
    event = record(
        "accounts.signin.success", actor=account, subject=account, ip="192.0.2.7", method="password", second_factor=True
    )
    event.refresh_from_db()
    assert event.code == "accounts.signin.success"
    assert event.actor == event.subject == account
    assert event.ip == "192.0.2.7"
    assert event.data == {"method": "password", "second_factor": True}


def test_the_identifier_survives_the_account(account):
    event = record("accounts.account.closed", subject=account)
    account.delete()
    event.refresh_from_db()
    assert event.subject is None
    assert event.subject_label == "camille.martin@univ-poitiers.fr"


def test_an_attempt_without_an_account_keeps_what_was_typed():
    event = record("accounts.signin.unknown", subject_label="nobody@univ-poitiers.fr")
    assert event.subject is None
    assert event.subject_label == "nobody@univ-poitiers.fr"


def test_the_newest_event_comes_first():
    record("accounts.signin.failure", subject_label="a")
    newest = record("accounts.signin.failure", subject_label="b")
    assert Event.objects.first() == newest


@pytest.mark.parametrize(
    "key", ["password", "new_Password", "passwd", "client_secret", "reset_token", "code", "otp", "PIN", "api_key"]
)
def test_a_key_that_looks_like_a_secret_is_refused(key):
    with pytest.raises(ValueError, match="looks like a secret"):
        record("accounts.password.changed", **{key: "x"})
    assert not Event.objects.exists()


def test_a_secret_nested_in_the_data_is_refused_too():
    with pytest.raises(ValueError, match="looks like a secret"):
        record("accounts.profile.changed", form={"fields": [{"password": "x"}]})


def test_a_value_that_is_not_json_is_refused():
    with pytest.raises(ValueError, match="JSON"):
        record("accounts.profile.changed", when=datetime.datetime.now(datetime.UTC))


@pytest.mark.parametrize("code", ["", "signin", "Accounts.Signin", "accounts signin", "accounts..signin"])
def test_a_code_that_is_not_dotted_lower_case_is_refused(code):
    with pytest.raises(ValueError, match="dotted"):
        record(code)
