#!/usr/bin/env bash
# Known vulnerabilities in what we ship: the locked Python runtime dependencies (no dev group)
# and the web app's production npm packages. Exits non-zero on a known high vulnerability, and
# also when a package could not be checked at all: an audit that reached no advisory database
# must not pass as a clean one.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="$(mktemp)"
trap 'rm -f "$requirements"' EXIT
.uv/bin/uv export --frozen --no-dev --no-emit-project --format requirements-txt --quiet >"$requirements"
echo "pip-audit: $(grep -c '^[a-z0-9]' "$requirements") locked runtime packages"
.venv/bin/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r "$requirements"
echo "npm audit: web/ production dependencies"
(cd web && npm audit --omit=dev --audit-level=high)
