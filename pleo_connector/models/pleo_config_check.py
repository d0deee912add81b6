# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The configuration check: one run over a connection, one line per finding.

An accountant (Pleo user) may run it: it changes nothing in Odoo but its own
result, and sends only read calls to Pleo (through ``pleo.dry_run``, which
would record a write instead of sending it). What each line means is decided by
``services.config_rules``; what it reads is in pleo_config_check_odoo.py and
pleo_config_check_pleo.py.
"""

import json

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services.config_rules import SEVERITY_RANK, Rules, worst
from .pleo_access import PLEO_USER, check_pleo_access, pleo_requires
from .pleo_connection import LEVELS

SEVERITIES = [("green", "Green"), ("amber", "Amber"), ("red", "Red")]
CHECKS = [
    ("authorisation", "Authorisation"),
    ("tax_codes", "Tax codes"),
    ("tax_names", "Ambiguous taxes"),
    ("accounts", "Accounts"),
    ("contra", "Contra accounts"),
    ("wallets", "Wallet accounts"),
    ("currencies", "Currencies"),
    ("lock_date", "Lock dates"),
    ("journals", "Journals"),
    ("pending_jobs", "Pending export jobs"),
    ("crons", "Scheduled actions"),
    ("first_sync", "First sync"),
    ("webhooks", "Webhooks"),
]
# Connection methods a fix-it button may call; each checks its caller itself.
FIX_METHODS = {
    "action_pleo_open_setup",
    "action_pleo_register_webhooks",
    "action_pleo_sync_preview",
    "action_pleo_test_connection",
}


class PleoConfigCheck(models.TransientModel):
    _name = "pleo.config.check"
    _description = "Pleo Configuration Check"
    _order = "checked_at desc, id desc"

    connection_id = fields.Many2one(
        comodel_name="pleo.connection",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    checked_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    integration_level = fields.Selection(
        selection=LEVELS, string="Level Checked", readonly=True
    )
    state = fields.Selection(
        selection=SEVERITIES, string="Result", readonly=True, default="green"
    )
    request_count = fields.Integer(
        string="Requests to Pleo",
        readonly=True,
        help="Read calls sent to Pleo by this check; it never writes there.",
    )
    line_ids = fields.One2many(
        comodel_name="pleo.config.check.line", inverse_name="check_id", readonly=True
    )

    @api.model
    def _pleo_run(self, connection, level=None):
        """Check `connection` (at `level`, its own by default) and keep the
        result. The caller's right comes first: nothing is read before it."""
        check_pleo_access(connection, PLEO_USER, "read")
        connection.ensure_one()
        level = level or connection.integration_level
        rules = Rules(self.env._, connection.id)
        facts, request_count = self._pleo_read_pleo(connection)
        findings = self._pleo_findings(connection, level, rules, facts)
        order = sorted(
            range(len(findings)),
            key=lambda i: (-SEVERITY_RANK[findings[i].severity], i),
        )
        lines = [
            fields.Command.create(dict(_line_vals(findings[i]), sequence=n))
            for n, i in enumerate(order)
        ]
        return self.create(
            {
                "connection_id": connection.id,
                "integration_level": level,
                "state": worst(findings),
                "request_count": request_count,
                "line_ids": lines,
            }
        )

    def _pleo_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Configuration check"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    @pleo_requires(PLEO_USER, "read")
    def action_rerun(self):
        """Check the same connection again, at the same level."""
        self.ensure_one()
        return self._pleo_run(self.connection_id, self.integration_level)._pleo_action()


def _line_vals(finding):
    fix = finding.fix
    vals = {
        "code": finding.code,
        "severity": finding.severity,
        "title": finding.title,
        "detail": finding.detail,
    }
    if fix:
        vals.update(
            fix_label=fix.label,
            fix_model=fix.model,
            fix_res_id=fix.res_id,
            fix_domain=json.dumps(fix.domain) if fix.domain is not None else False,
            fix_action=fix.action,
            fix_method=fix.method,
        )
    return vals


class PleoConfigCheckLine(models.TransientModel):
    _name = "pleo.config.check.line"
    _description = "Pleo Configuration Check Line"
    _order = "sequence, id"

    check_id = fields.Many2one(
        comodel_name="pleo.config.check",
        string="Configuration Check",
        required=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="check_id.company_id", store=True)
    sequence = fields.Integer(readonly=True)
    code = fields.Selection(selection=CHECKS, string="Check", readonly=True)
    severity = fields.Selection(selection=SEVERITIES, required=True, readonly=True)
    title = fields.Char(string="Finding", readonly=True)
    detail = fields.Text(string="What it means", readonly=True)
    fix_label = fields.Char(string="Fix", readonly=True)
    fix_model = fields.Char(readonly=True)
    fix_res_id = fields.Integer(readonly=True)
    fix_domain = fields.Char(readonly=True)
    fix_action = fields.Char(readonly=True)
    fix_method = fields.Char(readonly=True)
    has_fix = fields.Boolean(compute="_compute_has_fix")

    @api.depends("fix_model", "fix_action", "fix_method")
    def _compute_has_fix(self):
        for line in self:
            line.has_fix = bool(line.fix_model or line.fix_action or line.fix_method)

    @pleo_requires(PLEO_USER, "read")
    def action_fix(self):
        """Open what fixes this finding; opening it keeps the reader's rights."""
        self.ensure_one()
        if self.fix_method:
            if self.fix_method not in FIX_METHODS:
                raise UserError(_("This fix cannot be opened from here."))
            return getattr(self.check_id.connection_id, self.fix_method)()
        if self.fix_action:
            action = self.env["ir.actions.act_window"]._for_xml_id(self.fix_action)
        elif self.fix_model:
            action = {
                "type": "ir.actions.act_window",
                "name": self.fix_label or self.title,
                "res_model": self.fix_model,
                "target": "current",
            }
        else:
            raise UserError(_("There is nothing to open for this finding."))
        model = action.get("res_model")
        try:
            records = self.env[model].browse(self.fix_res_id or [])
            (records if self.fix_res_id else self.env[model]).check_access("read")
        except AccessError as exc:
            raise UserError(
                _(
                    "You may not open this (%(what)s): ask an administrator. "
                    "%(finding)s",
                    what=self.fix_label or model,
                    finding=self.title,
                )
            ) from exc
        if self.fix_res_id:
            action.update(
                res_id=self.fix_res_id, view_mode="form", views=[(False, "form")]
            )
        elif self.fix_domain:
            action.update(
                domain=json.loads(self.fix_domain),
                view_mode="list,form",
                views=[(False, "list"), (False, "form")],
            )
        return action


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_check_configuration(self):
        """Check the configuration (read calls only to Pleo) and show it."""
        self.ensure_one()
        return self.env["pleo.config.check"]._pleo_run(self)._pleo_action()
