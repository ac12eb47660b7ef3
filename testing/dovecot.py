"""A private Dovecot 2.3 for the tests: IMAP on a free loopback port, XOAUTH2 and OAUTHBEARER
checked by introspecting Guichet's tokens (passdb oauth2). Everything lives in a temporary
folder (configuration, sockets, state, log, mail); nothing of the system's /etc/dovecot is read
and no system service is started. Needs Debian's dovecot-imapd (scripts/system-deps).

Run as root (the test machines), Dovecot drops to its own users as it does in production: the
package's "dovecot" and "dovenull", mail as "nobody". Run as anyone else, it runs rootless.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from testing.net import free_port, wait_until_listening


@dataclass
class Dovecot:
    host: str
    port: int
    folder: Path

    @property
    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def binary() -> str:
    found = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if found is None:
        raise RuntimeError("Dovecot is not installed: apt-get install dovecot-imapd (see scripts/system-deps)")
    return found


def version() -> str:
    return subprocess.run(  # noqa: S603 - the installed binary, fixed arguments
        [binary(), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()


def _users() -> tuple[dict[str, str], str]:
    """Settings for who Dovecot's processes run as, and the userdb's uid/gid."""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return (
            {"default_internal_user": "dovecot", "default_login_user": "dovenull"},
            f"uid={nobody.pw_uid} gid={nobody.pw_gid}",
        )
    me = pwd.getpwuid(os.geteuid())
    group = me.pw_gid
    return (
        {"default_internal_user": me.pw_name, "default_login_user": me.pw_name, "default_internal_group": str(group)},
        f"uid={me.pw_uid} gid={group}",
    )


def _config(folder: Path, port: int, users: dict[str, str], ids: str) -> str:
    anvil_chroot = "" if os.geteuid() == 0 else "  chroot =\n"
    login_chroot = "" if os.geteuid() == 0 else "  chroot =\n"
    lines = "\n".join(f"{name} = {value}" for name, value in users.items())
    return f"""# Written by testing/dovecot.py for one test run.
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
info_log_path = {folder}/dovecot.log
debug_log_path = {folder}/dovecot.log
{lines}
protocols = imap
listen = 127.0.0.1
ssl = no
# Loopback only, in a test: production offers XOAUTH2 over TLS (docs/imap-oauth2.md).
disable_plaintext_auth = no
auth_mechanisms = xoauth2 oauthbearer
auth_failure_delay = 0
auth_verbose = yes
mail_location = maildir:{folder}/mail/%u
# Every test connects from 127.0.0.1: no growing delay after refused tokens (auth penalty).
service anvil {{
{anvil_chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
{login_chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {folder}/dovecot-oauth2.conf.ext
}}
userdb {{
  driver = static
  args = {ids} home={folder}/home/%u
}}
"""


def _oauth2_config(introspection_url: str, client_id: str, client_secret: str, scope: str) -> str:
    # Dovecot 2.3: POST token=… with client_id/client_secret in the body (client_secret_post);
    # the username Guichet answers must be the one the client sent in its XOAUTH2 string.
    return f"""introspection_mode = post
introspection_url = {introspection_url}
force_introspection = yes
client_id = {client_id}
client_secret = {client_secret}
username_attribute = username
active_attribute = active
active_value = true
scope = {scope}
timeout_msecs = 5000
"""


@contextmanager
def running(introspection_url: str, client_id: str, client_secret: str, *, scope: str = "mail") -> Iterator[Dovecot]:
    """Start Dovecot in the foreground, wait until it listens, stop it and clean up afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="guichet-dovecot-"))
    try:
        folder.chmod(0o755)  # Dovecot's own users read the configuration and reach the sockets
        users, ids = _users()
        port = free_port()
        (folder / "dovecot.conf").write_text(_config(folder, port, users, ids))
        (folder / "dovecot-oauth2.conf.ext").write_text(
            _oauth2_config(introspection_url, client_id, client_secret, scope)
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    with serving(folder, port):
        yield Dovecot("127.0.0.1", port, folder)


@contextmanager
def serving(folder: Path, port: int) -> Iterator[None]:
    """Dovecot on the configuration written in `folder`, listening on `port`, for the block's
    duration; then stopped and the folder removed (the one start/stop of both test servers)."""
    process = output = None
    try:
        for name in ("mail", "home"):
            (folder / name).mkdir()
            if os.geteuid() == 0:
                shutil.chown(folder / name, user="nobody", group=pwd.getpwnam("nobody").pw_gid)
        output = (folder / "dovecot.out").open("w")
        process = subprocess.Popen(  # noqa: S603 - the installed binary, our own config file
            [binary(), "-F", "-c", str(folder / "dovecot.conf")], stdout=output, stderr=subprocess.STDOUT
        )
        wait_until_listening(process, port, folder)
        yield
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if output is not None:
            output.close()
        shutil.rmtree(folder, ignore_errors=True)
