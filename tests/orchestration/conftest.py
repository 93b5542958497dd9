"""Fixtures of the orchestration tests."""

from __future__ import annotations

import pytest

from cryptoflow.simulator.server import RunningSimulator
from tests.orchestration.ingest_support import FROZEN_AT


@pytest.fixture
def frozen_sim(sim_server: RunningSimulator) -> RunningSimulator:
    """The simulator with its clock frozen: every call in the test sees one snapshot."""
    sim_server.set_clock(FROZEN_AT)
    return sim_server
