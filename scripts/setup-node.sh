#!/usr/bin/env bash
# Node packages the tests need, installed once at set-up (nothing downloads at test time):
# axe-core, the accessibility rules the browser tests run on every report (WCAG 2.1 A/AA).
# The exact versions and their checksums are pinned in scripts/node/package-lock.json;
# they install into <venv>/node/node_modules (found there by arviointi.report.browser).
#   bash scripts/setup-node.sh .venv
set -euo pipefail
venv="${1:-.venv}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v npm >/dev/null 2>&1; then
  echo "arviointi setup: the accessibility tests need npm (Debian package: npm)" >&2
  echo "  install it as root:  apt-get install -y npm" >&2
  exit 1
fi
target="$venv/node"
mkdir -p "$target"
cp "$here/node/package.json" "$here/node/package-lock.json" "$target/"
npm ci --prefix "$target" --no-audit --no-fund --loglevel=error
test -f "$target/node_modules/axe-core/axe.min.js"
