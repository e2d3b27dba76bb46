#!/usr/bin/env bash
# System packages the PDF step and the browser tests need: Debian's Chromium (HTML -> PDF
# with --print-to-pdf, and the headless browser test), poppler-utils (pdftotext/pdftoppm
# for PDF checks), fonts with full Latin coverage for Finnish characters; librsvg2-bin
# (rsvg-convert: the figures' SVG -> PNG for the Word report), npm (installs axe-core for
# the accessibility tests, scripts/setup-node.sh), LibreOffice Writer without GUI
# (the slow test that opens every Word report with `soffice --headless`), and a Java 17
# runtime for the Spark engine's tests (PySpark 4 runs a local JVM).
# Installs with apt when run as root; otherwise says what to install and fails.
set -euo pipefail
pkgs=(chromium poppler-utils fonts-dejavu-core fonts-liberation2 librsvg2-bin npm
  libreoffice-writer-nogui openjdk-17-jre-headless)
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -d /usr/share/fonts/truetype/liberation2 ] || missing+=(fonts-liberation2)
command -v java >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ] \
  || missing+=(openjdk-17-jre-headless)
command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
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
