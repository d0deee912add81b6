"""Pure tests: no Odoo, no database.

- `pleo_connector.pleo` and `pleo_sandbox` are imported from this checkout.
  pleo_connector/__init__.py loads its Odoo models only when Odoo imports it as
  odoo.addons.pleo_connector, so putting the repository root on sys.path is all
  the pure sub-packages need.
- pytest-odoo, when installed, adds session-wide autouse fixtures that open an
  Odoo registry (and so need --odoo-database). The two fixtures below override
  them by name for the tests in this directory only, so `pytest tests` runs
  without a database; the Odoo suite (pleo_connector/tests) keeps the plugin's.
"""

import sys
from pathlib import Path

import pytest
import requests

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from pleo_sandbox import SandboxServer  # noqa: E402  (needs ROOT on sys.path)


@pytest.fixture(scope="session", autouse=True)
def load_registry():
    yield


@pytest.fixture(scope="module", autouse=True)
def enable_odoo_test_flag():
    yield


@pytest.fixture
def sandbox_seed():
    """Seed of the `srv` sandbox; a test module overrides it by name."""
    return "small"


@pytest.fixture
def srv(sandbox_seed):
    """A Pleo sandbox on a free loopback port."""
    with SandboxServer(port=0, seed=sandbox_seed) as server:
        yield server


@pytest.fixture
def http(srv):
    """A requests session authenticated with the sandbox's API key."""
    session = requests.Session()
    session.auth = (srv.api_key, "")
    yield session
    session.close()
