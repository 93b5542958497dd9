"""Temporarily set process environment variables (libraries that read os.environ directly)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def environ_overrides(**values: str) -> Iterator[None]:
    """Set `values` in os.environ for the block, then restore what was there (or unset it)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
