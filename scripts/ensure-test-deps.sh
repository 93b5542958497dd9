#!/usr/bin/env bash
# Things the tests need that do not come from PyPI: Debian's Chromium (browser tests) and
# Debian's docker-compose v1 (validates docker-compose.yml without a Docker daemon).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing Debian chromium for the browser tests"
    (apt-get install -y -q chromium >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)
  else
    echo "warning: /usr/bin/chromium missing and cannot be installed here" >&2
  fi
fi
if [ ! -x /usr/bin/docker-compose ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing Debian docker-compose to validate docker-compose.yml"
    (apt-get install -y -q docker-compose >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q docker-compose >/dev/null)
  else
    echo "warning: /usr/bin/docker-compose missing and cannot be installed here" >&2
  fi
fi
