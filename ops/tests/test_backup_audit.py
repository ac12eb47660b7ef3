"""`manage.py backup` leaves one audit event: which engine and how many files, never what the
archive holds (names, checksums, keys) nor where it was written.

Why `transaction=True`: a plain `django_db` test runs inside a transaction, and on SQLite
Guichet opens its transactions IMMEDIATE (guichet/settings.py), so the test's connection holds
the write lock from the start. SQLite's online backup refuses to copy a database its own
connection is writing (sqlite3_backup_step answers SQLITE_LOCKED « if the source database
connection is being used to write to the source database »), and Python's Connection.backup
retries that every 0.25 s for ever: the earlier attempt's hang. `manage.py backup` runs in
autocommit, and so does this test; on PostgreSQL, pg_dump (another process) then sees the
committed rows too.
"""

import io
import json
import logging

import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import Event
from ops import backup, events

SALT = "a-field-key-nobody-may-read"
DOCUMENT = b"%PDF-1.4 a person's uploaded proof"


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_audited_with_its_engine_and_file_count_and_nothing_it_holds(tmp_path, settings, caplog):
    # A var/ of its own: a key and an uploaded document, as an instance has (the worktree's var/
    # holds other runs' test databases).
    var = tmp_path / "var"
    (var / "media" / "support").mkdir(parents=True)
    (var / "media" / "support" / "proof.pdf").write_bytes(DOCUMENT)
    (var / "field_key").write_text(SALT)
    settings.VAR_DIR, settings.MEDIA_ROOT = var, var / "media"
    output = tmp_path / "backups" / "guichet.tar.gz"

    with caplog.at_level(logging.INFO, logger="guichet.audit"):
        call_command("backup", "--output", str(output), stdout=io.StringIO())

    (event,) = Event.objects.all()
    manifest = backup.read_manifest(output)
    assert event.code == events.BACKUP_CREATED == "ops.backup.created"
    assert event.data == {"engine": connection.vendor, "files": len(manifest.files)}
    assert {"var/field_key", "var/media/support/proof.pdf"} <= set(manifest.files)  # really in the archive
    # An operator's command: no person acted, none is concerned, no address.
    assert (event.actor, event.subject, event.subject_label, event.ip) == (None, None, "", None)
    # The same fact on the log stream, and nowhere (table or log) a trace of the contents.
    logged = "\n".join(record.getMessage() for record in caplog.records if record.name == "guichet.audit")
    assert events.BACKUP_CREATED in logged
    written = json.dumps(event.data) + logged
    for name, digest in manifest.files.items():
        assert digest not in written and name not in written
    for secret in (SALT, DOCUMENT.decode(), str(output), settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"][30:90]):
        assert secret not in written


@pytest.mark.django_db
def test_inside_a_transaction_a_sqlite_backup_is_refused_at_once_not_waited_on(tmp_path):
    if connection.vendor != "sqlite":
        # pg_dump is another process: it waits for nothing of ours and sees what is committed.
        assert connection.vendor == "postgresql"
        return
    with pytest.raises(backup.BackupError, match="inside a transaction"):
        backup.create(tmp_path / "backup.tar")
