"""Apache with Debian's mod_auth_cas on loopback, started by a test: a CAS client nobody here
wrote. Not a system service: a foreground process with its own configuration in a temporary
folder, on free ports, stopped by the test that started it.

One virtual host per CAS version (1: /cas/validate; 2: /cas/serviceValidate; 3:
/cas/p3/serviceValidate), each protecting /app/ with a CGI that prints who signed in. A
fourth, HTTPS, virtual host proxies to Guichet's test server, because mod_auth_cas only
validates tickets over HTTPS (it checks the certificate against the test CA).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from testing.net import free_port
from testing.tls import make_tls

APACHE = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
VALIDATE = {1: "/cas/validate", 2: "/cas/serviceValidate", 3: "/cas/p3/serviceValidate"}
WHOAMI = """#!/usr/bin/python3
import os
print("Content-Type: text/plain; charset=utf-8")
print()
print("user=" + os.environ.get("REMOTE_USER", ""))
for name in sorted(os.environ):
    if name.startswith("HTTP_CAS_"):
        print(name[len("HTTP_CAS_"):].lower() + "=" + os.environ[name])
"""


class ApacheCas:
    def __init__(self, guichet_url: str):
        self.guichet_url = guichet_url
        # Not pytest's tmp_path: Apache's workers run as www-data and must reach the files.
        self.root = Path(tempfile.mkdtemp(prefix="guichet-apache-"))
        self.root.chmod(0o755)
        self.tls = make_tls(self.root)
        self.ports = {version: free_port() for version in VALIDATE}
        self.front_port = free_port()
        self.front = f"https://127.0.0.1:{self.front_port}"
        self.process: subprocess.Popen[bytes] | None = None

    def app_url(self, version: int) -> str:
        return f"http://127.0.0.1:{self.ports[version]}/app/whoami"

    def _config(self) -> str:
        root = self.root
        modules = [
            ("mpm_prefork_module", "mod_mpm_prefork.so"),
            ("authz_core_module", "mod_authz_core.so"),
            ("authn_core_module", "mod_authn_core.so"),
            ("authz_user_module", "mod_authz_user.so"),
            ("alias_module", "mod_alias.so"),
            ("cgi_module", "mod_cgi.so"),
            ("ssl_module", "mod_ssl.so"),
            ("proxy_module", "mod_proxy.so"),
            ("proxy_http_module", "mod_proxy_http.so"),
            ("auth_cas_module", "mod_auth_cas.so"),
        ]
        lines = [f"LoadModule {name} {MODULES}/{so}" for name, so in modules]
        lines += [
            f"ServerRoot {root}",
            "ServerName 127.0.0.1",
            f"PidFile {root}/httpd.pid",
            f"DefaultRuntimeDir {root}",
            f"ErrorLog {root}/error.log",
            "LogLevel warn auth_cas:info",
            "User www-data",
            "Group www-data",
            "StartServers 2",
            "MaxRequestWorkers 16",
            "KeepAlive On",
            f"Listen 127.0.0.1:{self.front_port}",
            f"<VirtualHost 127.0.0.1:{self.front_port}>",
            "  SSLEngine on",
            f"  SSLCertificateFile {self.tls.cert}",
            f"  SSLCertificateKeyFile {self.tls.key}",
            f"  ProxyPass / {self.guichet_url}/",
            f"  ProxyPassReverse / {self.guichet_url}/",
            "</VirtualHost>",
        ]
        for version, port in self.ports.items():
            cookies = root / f"cas{version}"
            cookies.mkdir()
            shutil.chown(cookies, "www-data", "www-data")
            lines += [
                f"Listen 127.0.0.1:{port}",
                f"<VirtualHost 127.0.0.1:{port}>",
                # mod_auth_cas builds the service URL from the server's own name.
                f"  ServerName 127.0.0.1:{port}",
                "  UseCanonicalName On",
                f"  CASVersion {1 if version == 1 else 2}",
                f"  CASLoginURL {self.front}/cas/login",
                f"  CASValidateURL {self.front}{VALIDATE[version]}",
                f"  CASCertificatePath {self.tls.ca}",
                f"  CASCookiePath {cookies}/",
                f"  ScriptAlias /app/ {root}/cgi/",
                "  <Location /app/>",
                "    AuthType CAS",
                "    Require valid-user",
                "  </Location>",
                "</VirtualHost>",
            ]
        return "\n".join(lines) + "\n"

    def __enter__(self) -> "ApacheCas":
        (self.root / "cgi").mkdir()
        script = self.root / "cgi" / "whoami"
        script.write_text(WHOAMI)
        script.chmod(0o755)
        self.tls.key.chmod(0o600)  # read by the parent (root) before it drops privileges
        config = self.root / "apache2.conf"
        config.write_text(self._config())
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command and our own config file
            [APACHE, "-f", str(config), "-DFOREGROUND"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C"},
            # Its own process group: on shutdown Apache signals its whole group, not pytest.
            start_new_session=True,
        )
        self._wait_until_listening()
        return self

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 20
        waiting = [self.front_port, *self.ports.values()]
        process = self.process
        assert process is not None and process.stderr is not None, "start() first"
        while waiting:
            if process.poll() is not None:
                raise RuntimeError(f"apache2 stopped: {process.stderr.read().decode()} {self.errors()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"apache2 did not listen: {self.errors()}")
            try:
                socket.create_connection(("127.0.0.1", waiting[0]), timeout=0.2).close()
                waiting.pop(0)
            except OSError:
                time.sleep(0.05)  # start-up wait, not a test delay

    def errors(self) -> str:
        log = self.root / "error.log"
        return log.read_text() if log.exists() else ""

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
