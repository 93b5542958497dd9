#!/usr/bin/env bash
# Things the browser tests need that do not come from PyPI: Debian's Chromium.
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "installing Debian chromium for the browser tests"
    (apt-get install -y -q chromium >/dev/null 2>&1) || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)
  else
    echo "warning: /usr/bin/chromium missing and cannot be installed here" >&2
  fi
fi
