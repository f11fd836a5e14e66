#!/usr/bin/env bash
# Installs the service into .venv, loads the demo data and serves on http://127.0.0.1:8000
# (arguments go to `exchange serve`, e.g. --port 8101; links in e-mails follow that address).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Installing the service into .venv (the first run takes a minute or two)…"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# setuptools announces every editable install with an "Editable installation" notice (its
# InformationOnly category, about the install mode, not a problem of this project): not shown.
PYTHONWARNINGS="ignore:Editable installation" .venv/bin/python -m pip install -q -e .
.venv/bin/exchange demo
exec .venv/bin/exchange serve "$@"
