#!/usr/bin/env bash
# Installs what the tests need beyond the Python requirements: Debian's chromium (the browser
# journey) and postgresql (the store and page tests run on a real server too), when missing.
set -euo pipefail

CHROMIUM=${CONSOLE_CHROMIUM:-/usr/bin/chromium}
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
command -v hey >/dev/null 2>&1 || missing+=(hey)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-test-deps: installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO="unavailable"; fi
fi
if [ "$SUDO" = "unavailable" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: cannot install ${missing[*]} here (need root or sudo, and apt-get)." >&2
  [ "${CI:-}" = "true" ] && exit 1
  echo "install-test-deps: tests that need them will be skipped outside CI." >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# nginx must not start as a service on install: bench/burst.py starts its own on loopback.
if [ "$(id -u)" = "0" ] && [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
