"""Process environment variables: set for a block (libraries that read os.environ directly), and
written as shell `export` lines (`.data/cryptoflow.env`, `cryptoflow dbt-env`)."""

from __future__ import annotations

import contextlib
import os
import shlex
from collections.abc import Iterator, Mapping


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


def shell_exports(values: Mapping[str, str]) -> str:
    """`export NAME=value` lines that a POSIX shell can `source` or `eval`, each value quoted."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in values.items())


def read_exports(text: str) -> dict[str, str]:
    """The variables of `shell_exports` text."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("export "):
            name, _, value = shlex.split(line.removeprefix("export "))[0].partition("=")
            values[name] = value
    return values
