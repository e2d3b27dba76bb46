#!/usr/bin/env bash
# Create the project's virtual environment and install the pinned dependencies.
# uv (from PyPI) is used when it can be had: it installs from uv.lock exactly and is
# 10-20x faster than pip here. Otherwise plain venv + pip install the same pins from
# requirements/*.txt (exported from uv.lock; tests check the two agree).
set -euo pipefail
venv=${1:-.venv}
extra=${2:-}
UV_VERSION=0.13.9
export UV_PYTHON_DOWNLOADS=never   # never fetch a Python build; use the machine's 3.11

py=$(command -v python3.11 || command -v python3 || true)
if [ -z "$py" ]; then
  echo "arviointi setup: Python 3.11 is required but neither python3.11 nor python3 was found." >&2
  exit 1
fi
if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "arviointi setup: Python 3.11 is required; $py is $("$py" --version 2>&1)." >&2
  exit 1
fi

uv_cmd=""
if command -v uv >/dev/null 2>&1; then
  uv_cmd=uv
elif "$py" -m uv --version >/dev/null 2>&1; then
  uv_cmd="$py -m uv"
elif "$py" -m pip install --quiet "uv==$UV_VERSION" >/dev/null 2>&1 && "$py" -m uv --version >/dev/null 2>&1; then
  uv_cmd="$py -m uv"
fi

extras=(--extra dev)
[ "$extra" = "lab" ] && extras+=(--extra lab)

if [ -n "$uv_cmd" ]; then
  echo "arviointi setup: installing with uv into $venv"
  # --inexact keeps JupyterLab installed by 'make lab' when 'make test' runs afterwards.
  UV_PROJECT_ENVIRONMENT="$venv" $uv_cmd sync --frozen --inexact "${extras[@]}" --python "$py"
else
  echo "arviointi setup: uv unavailable, falling back to pip (slower)"
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r requirements/dev.txt
  [ "$extra" = "lab" ] && "$venv/bin/python" -m pip install --quiet -r requirements/lab.txt
  "$venv/bin/python" -m pip install --quiet --no-deps -e .
fi
"$venv/bin/python" -c 'import arviointi' || { echo "arviointi setup: the package does not import" >&2; exit 1; }
