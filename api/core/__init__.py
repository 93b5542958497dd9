"""Cross-cutting pieces of the API: settings checks, database engine, security, errors."""
