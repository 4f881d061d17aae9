#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test (tests/Resilience.AspNetCore.Tests), which drives it
# through Playwright with ExecutablePath=/usr/bin/chromium: Playwright never downloads a browser of its own.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "eng/chromium.sh: /usr/bin/chromium is missing; run as root (apt-get install -y chromium)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
