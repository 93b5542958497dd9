"""Benchmarks of docs/targets.md: each module measures one target side by side with its reference.

`python -m bench.run_all` (= `make bench`) runs them all and writes `docs/benchmarks.md`;
`python -m bench.<module> --help` runs one with its own parameters.
"""
