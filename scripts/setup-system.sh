#!/usr/bin/env bash
# System packages the PDF step and the browser tests need: Debian's Chromium (HTML -> PDF
# with --print-to-pdf, and the headless browser test), poppler-utils (pdftotext/pdftoppm
# for PDF checks), fonts with full Latin coverage for Finnish characters, and a Java 17
# runtime for the Spark engine's tests (PySpark 4 runs a local JVM).
# Installs with apt when run as root; otherwise says what to install and fails.
set -euo pipefail
pkgs=(chromium poppler-utils fonts-dejavu-core fonts-liberation2 openjdk-17-jre-headless)
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/liberation2 ] || missing+=(fonts-liberation2)
command -v java >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ] \
  || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "arviointi setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "arviointi setup: the PDF step and the Spark tests need these Debian packages: ${missing[*]}" >&2
  echo "  install them as root:  apt-get install -y ${pkgs[*]}" >&2
  exit 1
fi
