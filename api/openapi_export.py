"""Write the API's OpenAPI schema to `web/openapi.json`, the source of the web client's types.

Run `python -m api.openapi_export [PATH]` after changing an endpoint or schema.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cryptoflow.settings import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "web" / "openapi.json"


def export_openapi(path: Path = DEFAULT_PATH) -> Path:
    from api.main import app  # builds the app; needs no database

    path.write_text(json.dumps(app.openapi(), indent=1, ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    print(f"wrote {export_openapi(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH)}")
