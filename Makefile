# `make run` serves Guichet with the Poitiers set-up; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# The demo serves plain HTTP on loopback; production sets GUICHET_HTTPS=1 (the default).
RUN_ENV := GUICHET_HTTPS=0 GUICHET_DEMO=1 GUICHET_EMAIL_BACKEND=$${GUICHET_EMAIL_BACKEND:-file} \
	GUICHET_SMS_BACKEND=$${GUICHET_SMS_BACKEND:-file} \
	GUICHET_WEBAUTHN_ORIGINS=$${GUICHET_WEBAUTHN_ORIGINS:-http://localhost:$(PORT)}

# The served processes (workers and the outbox worker) share their metrics through this folder,
# emptied at each start; one-off commands (migrate, load_setup…) keep theirs in memory.
METRICS_ENV := PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/var/prometheus

# What mypy --strict checks in `make test`: every app, and the test support.
TYPED := institutions audit notify accounts orientation recovery sso support mailconfig status ops guichet testing

.PHONY: help run test deps dev-deps system-deps system-deps-run node-deps messages static keys lint format clean

help:
	@echo "make run    - install, migrate, load the Poitiers set-up and serve on http://$(HOST):$(PORT)"
	@echo "              (another port: make run PORT=8080; stop with Ctrl+C)"
	@echo "make test   - the whole suite (installs Debian packages it needs when run as root)"
	@echo "make lint   - ruff check + format check; make format - rewrite with ruff"

$(VENV)/.deps: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.deps $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# Debian 12's npm 9 cannot read the lock file's override of a Git dependency (the WS-Federation
# test's passport-wsfed-saml2 → xml-crypto); npm 10, from the npm registry, can.
node_modules/.installed: package.json package-lock.json
	if [ "$$(npm --version | cut -d. -f1)" -ge 10 ]; then npm ci --no-audit --no-fund --silent; \
	else npx --yes npm@10.9.2 ci --no-audit --no-fund --silent; fi
	touch $@

node-deps: node_modules/.installed

# Debian packages: those the running product uses (run), and those the suite drives (test).
system-deps-run:
	@scripts/system-deps run

system-deps:
	@scripts/system-deps test

messages: deps
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

static: deps
	$(PY) manage.py collectstatic --noinput -v0

# Keys (secret key, OIDC, SAML, the demo's Zimbra preauth keys) are made here once, never
# at start-up: a key that goes missing later stops Guichet instead of being replaced.
keys: deps
	$(RUN_ENV) $(PY) manage.py generate_keys

run: system-deps-run deps messages static keys
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py load_setup
	$(RUN_ENV) $(PY) manage.py sync_oidc_clients
	$(RUN_ENV) $(PY) manage.py load_demo
	@$(RUN_ENV) $(PY) manage.py check --fail-level ERROR || { \
		echo "Guichet ne démarre pas : corrigez les erreurs ci-dessus. / Guichet will not start: fix the errors above." >&2; \
		exit 1; }
	@# The worker delivers the outbox (the demo writes mail under var/mail/); it stops with gunicorn.
	@# Metrics of a previous run must not add up with this one's (ops/metrics.py).
	rm -rf var/prometheus && mkdir -p var/prometheus
	$(RUN_ENV) $(METRICS_ENV) $(PY) manage.py run_huey --quiet & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(METRICS_ENV) $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py guichet.wsgi --bind $(HOST):$(PORT) \
		--workers $(WORKERS) --forwarded-allow-ips=127.0.0.1

test: system-deps dev-deps node-deps messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# The test settings: they make their own keys under var/test-keys/ (make run makes the real ones).
	GUICHET_TESTING=1 $(PY) manage.py makemigrations --check --dry-run -v0
	@# Types: mypy --strict with django-stubs over every app and the test support (pyproject.toml).
	$(VENV)/bin/mypy $(TYPED)
	$(VENV)/bin/pytest

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(TYPED)

format: dev-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf staticfiles artifacts .pytest_cache
	find . -name '*.mo' -not -path './.venv/*' -delete
