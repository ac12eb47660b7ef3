"""/healthz says the process lives; /readyz says the node can take traffic."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ops import actions
from ops.tasks import heartbeat_task

pytestmark = pytest.mark.django_db


def test_ready_when_the_database_answers_and_the_worker_beats(client):
    heartbeat_task.call_local()
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True and body["checks"]["database"] == "ok" and body["checks"]["worker"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_not_ready_before_the_worker_ever_beat(client):
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["worker"] == "never_seen"


def test_not_ready_when_the_worker_stopped_beating(client):
    actions.beat(now=timezone.now() - timedelta(minutes=4))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["worker"] == "stale"


def test_not_ready_when_the_database_is_gone(client, monkeypatch):
    actions.beat()

    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["database"] == "unavailable"


def test_healthz_answers_whatever_the_worker(client):
    assert client.get("/healthz").status_code == 200
