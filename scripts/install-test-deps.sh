#!/usr/bin/env bash
# Installs what the tests need beyond requirements.txt: Debian's chromium for the browser journey.
set -euo pipefail

CHROMIUM=${CONSOLE_CHROMIUM:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
echo "install-test-deps: chromium is missing; installing Debian's chromium package"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO="unavailable"; fi
fi
if [ "$SUDO" = "unavailable" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: cannot install chromium here (need root or sudo, and apt-get)." >&2
  [ "${CI:-}" = "true" ] && exit 1
  echo "install-test-deps: the browser test will be skipped outside CI." >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium
"$CHROMIUM" --version
