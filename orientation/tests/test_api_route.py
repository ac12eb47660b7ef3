import pytest

pytestmark = pytest.mark.django_db


def test_it_answers_the_platform_slug_name_and_url(client, poitiers):
    data = client.get("/api/route", {"q": " Jeanne.Martin@CHU-Poitiers.fr "}).json()
    assert data["status"] == "matched"
    assert data["platform"] == "exchange"
    assert data["name"] == "Exchange / Outlook"
    assert data["url"] == "https://webmail.chu-poitiers.fr/owa/"
    assert data["url_confirmed"] is False
    assert data["suggestion"] is None
    assert data["guide"] == "/plateformes/exchange/"


def test_a_near_miss_gets_a_suggestion_and_no_platform(client, poitiers):
    data = client.get("/api/route", {"q": "jeanne@univ-poitires.fr"}).json()
    assert (data["platform"], data["suggestion"]) == (None, "jeanne@univ-poitiers.fr")


@pytest.mark.parametrize(
    ("q", "status"),
    [
        ("jeanne@ac-poitiers.fr.evil.com", "unknown_domain"),
        ("jeanne@evil-ac-poitiers.fr", "unknown_domain"),
        ("jmartin", "bare_login"),
        ("a b@c", "invalid"),
    ],
)
def test_other_cases_have_a_null_platform(client, poitiers, q, status):
    response = client.get("/api/route", {"q": q})
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["platform"], data["suggestion"]) == (status, None, None)
    assert data["message"]


def test_a_missing_q_is_a_400_with_a_message(client, poitiers):
    response = client.get("/api/route")
    assert response.status_code == 400
    assert response.json()["status"] == "empty" and response.json()["message"]


def test_the_message_follows_lang(client, poitiers):
    fr = client.get("/api/route", {"q": "jmartin"}).json()["message"]
    en = client.get("/api/route", {"q": "jmartin", "lang": "en"}).json()["message"]
    assert fr.startswith("Un identifiant") and en.startswith("A login")


def test_it_is_json_and_not_cached_by_pages(client, poitiers):
    response = client.get("/api/route", {"q": "x@ac-poitiers.fr"})
    assert response["Content-Type"] == "application/json"
