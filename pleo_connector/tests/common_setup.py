# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures of the setup/security/operation tests: a live Pleo sandbox."""

import json
import sys
from pathlib import Path

from lxml import etree

from odoo.tools.safe_eval import safe_eval

try:
    from pleo_sandbox import SandboxServer
except ImportError:  # repository not pip-installed: the sandbox sits beside the addon
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pleo_sandbox import SandboxServer

SANDBOX_COMPANY_NAME = "Sandbox Nordic ApS"


class SandboxMixin:
    """Starts one in-process Pleo sandbox on a free loopback port per class."""

    sandbox_seed = "small"

    @classmethod
    def _start_sandbox(cls):
        cls.sandbox = SandboxServer(port=0, seed=cls.sandbox_seed)
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)

    @classmethod
    def _connection_vals(cls, **vals):
        base = {
            "name": "Pleo sandbox",
            "environment": "custom",
            "custom_url": cls.sandbox.url,
            "auth_method": "oauth",
            "client_id": cls.sandbox.client_id,
            "client_secret": cls.sandbox.client_secret,
        }
        base.update(vals)
        return base

    def _oauth_start_as_admin(self):
        """Click Connect to Pleo as the administrator, as the web client does;
        the URL of Pleo's consent page (an HttpCase with `self.connection`)."""
        self.authenticate("admin", "admin")
        action = self.make_jsonrpc_request(
            "/web/dataset/call_kw/pleo.connection/action_pleo_oauth_start",
            {
                "model": "pleo.connection",
                "method": "action_pleo_oauth_start",
                "args": [[self.connection.id]],
                "kwargs": {},
            },
        )
        assert action["type"] == "ir.actions.act_url", action
        return action["url"]

    @classmethod
    def _api_key_vals(cls, **vals):
        return cls._connection_vals(
            auth_method="api_key",
            api_key=cls.sandbox.api_key,
            pleo_company_id=cls.sandbox.company_id,
            **vals,
        )


def state_csrf(state):
    """The anti-forgery token inside the OAuth `state` Odoo sent to Pleo."""
    return json.loads(state)["csrf"]


def visible_names(arch, values):
    """Names of the `name`d nodes of a view arch visible for the field `values`.

    An `invisible` expression that names a field absent from `values` is treated
    as not hiding the node (the test only decides what it describes).
    """
    root = etree.fromstring(arch)
    names = set()
    for node in root.iter():
        name = node.get("name")
        if not name:
            continue
        hidden = False
        for element in [node, *node.iterancestors()]:
            expr = element.get("invisible")
            if not expr or expr in ("0", "False"):
                continue
            try:
                hidden = bool(safe_eval(expr, dict(values, context={})))
            except (NameError, ValueError):
                hidden = False
            if hidden:
                break
        if not hidden:
            names.add(name)
    return names
