# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Levels 2-4: master data from Odoo to Pleo, and vendors from Pleo to Odoo.

- Level 2: analytic plans -> tag groups, analytic accounts -> tags. Key: the tag
  (group) ``code``: the analytic account's code, else ``AA<id>``; ``PLAN<id>`` for
  plans. Matched case-insensitively, as Pleo's guide says.
- Level 3: purchase taxes -> tax codes (key ``code``: the tax's Pleo code if set,
  else ``TAX<id>``), then accounts -> chart of accounts (key ``externalId`` = the
  account id), each with ``taxCodeExternalId`` = the code of its first purchase
  tax. Tax codes sync first: Pleo refuses an account naming an unknown tax code.
- Level 4: supplier partners -> vendors (key ``externalId`` = the partner id,
  ``code`` = the partner's reference, else its id); ``v1.vendor.created`` -> a
  partner matched by VAT, then exact name, else created, then ``:activate``.

What to call is decided by ``services.sync_planner`` from three lists read in
bulk (Odoo rows, Pleo rows, bindings); the bindings keep the hash of what was
pushed, so an unchanged record costs no write call. Conflict rule: Odoo is the
source of truth (see the planner's docstring and readme/USAGE.md).
"""

import logging
import re

from odoo import _, api, fields, models, modules, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import safe_eval

from ..pleo import errors
from ..services.sync_planner import Bound, Local, Remote, payload_hash, plan_sync

_logger = logging.getLogger(__name__)

MAX_TAG_GROUPS = 5
DEFAULT_ACCOUNT_DOMAIN = (
    "[('account_type', 'in', ['expense', 'expense_direct_cost', "
    "'expense_depreciation'])]"
)
# Errors about one record: logged on the run, the others go on. Anything else
# (authorisation, network, Pleo down) stops the run.
RECORD_ERRORS = (
    errors.PleoValidationError,
    errors.PleoConflict,
    errors.PleoNotFound,
    errors.PleoPayloadTooLarge,
)
BINDING_FLUSH = 500
VENDOR_FIELDS = (
    "name",
    "defaultCurrency",
    "code",
    "externalId",
    "country",
    "registrationNumber",
    "taxRegistrationNumber",
)


def _vat_key(vat):
    return re.sub(r"[^0-9A-Za-z]", "", vat or "").upper() or None


class _Run:
    """Counts, failure lines and pending binding rows of one sync run."""

    def __init__(self, connection, kind):
        self.connection = connection
        self.kind = kind
        self.counts = dict.fromkeys(
            ("created", "updated", "archived", "unchanged", "failed"), 0
        )
        self.lines = []
        self.bindings = {}  # binding kind -> list of rows
        self.forget = {}  # binding kind -> res_ids

    def fail(self, label, exc):
        self.counts["failed"] += 1
        message = getattr(exc, "message", None) or str(exc)
        self.lines.append(f"{label}: {message}")
        _logger.info("Pleo sync %s: %s: %s", self.kind, label, message)

    def bind(self, kind, row):
        self.bindings.setdefault(kind, []).append(row)
        if len(self.bindings[kind]) >= BINDING_FLUSH:
            self.flush()

    def flush(self):
        Binding = self.connection.env["pleo.binding"]
        for kind, res_ids in self.forget.items():
            Binding._pleo_forget(self.connection, kind, res_ids)
        self.forget = {}
        for kind, rows in self.bindings.items():
            Binding._pleo_upsert(self.connection, kind, rows)
        self.bindings = {}


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    pleo_analytic_plan_ids = fields.Many2many(
        comodel_name="account.analytic.plan",
        relation="pleo_connection_analytic_plan_rel",
        column1="connection_id",
        column2="plan_id",
        string="Analytic Plans as Tag Groups",
        domain=[("parent_id", "=", False)],
        help="Each selected plan becomes a Pleo tag group and its analytic accounts "
        "(sub-plans included) its tags. Pleo allows at most 5. A plan removed "
        "from this list has its tag group archived in Pleo.",
    )
    pleo_account_domain = fields.Char(
        string="Accounts Synced as Categories",
        default=DEFAULT_ACCOUNT_DOMAIN,
        help="Which accounts of the company are pushed to Pleo's chart of accounts. "
        "Accounts leaving this selection are archived in Pleo.",
    )
    pleo_tax_type_policy = fields.Selection(
        selection=[
            ("inclusive", "Inclusive (Pleo amounts include VAT)"),
            ("odoo", "As in Odoo: tax-included price -> inclusive, else exclusive"),
        ],
        string="Tax Code Type",
        default="inclusive",
        required=True,
        help="Pleo's expense amounts always include VAT and Pleo refuses "
        "'exclusive' tax codes today, so non-reverse-charge taxes are sent as "
        "'inclusive' by default. Reverse-charge taxes are always 'reverse'.",
    )
    pleo_archive_unmatched = fields.Boolean(
        string="Archive Pleo Records Unknown to Odoo",
        default=True,
        help="Pleo's reconcile rule: active tag groups, tags, accounts and tax "
        "codes that no Odoo record matches are archived. Vendors created in Pleo "
        "are never archived this way.",
    )
    pleo_sync_log_ids = fields.One2many(
        comodel_name="pleo.sync.log", inverse_name="connection_id", readonly=True
    )

    @api.constrains("pleo_analytic_plan_ids")
    def _check_pleo_analytic_plans(self):
        for connection in self:
            if len(connection.pleo_analytic_plan_ids) > MAX_TAG_GROUPS:
                raise ValidationError(
                    _("Pleo accepts at most %s tag groups.", MAX_TAG_GROUPS)
                )

    @api.constrains("pleo_account_domain")
    def _check_pleo_account_domain(self):
        for connection in self:
            try:
                connection._pleo_account_domain()
            except Exception as exc:
                raise ValidationError(
                    _("The account selection is not a valid domain: %s", exc)
                ) from exc

    # ------------------------------------------------------------------
    # Entry points: buttons and crons
    # ------------------------------------------------------------------
    def action_sync_tags(self):
        return self._pleo_sync_button("2", ["tags"])

    def action_sync_tax_codes(self):
        return self._pleo_sync_button("3", ["tax_codes"])

    def action_sync_accounts(self):
        """Tax codes first: Pleo refuses accounts naming an unknown tax code."""
        return self._pleo_sync_button("3", ["tax_codes", "accounts"])

    def action_sync_vendors(self):
        return self._pleo_sync_button("4", ["vendors"])

    def _pleo_sync_button(self, level, kinds):
        self.ensure_one()
        if not self._level_at_least(level):
            raise UserError(
                _(
                    "Connection %(name)s is not at integration level %(level)s.",
                    name=self.name,
                    level=level,
                )
            )
        logs = self.env["pleo.sync.log"]
        for kind in kinds:
            logs |= self._pleo_sync(kind)
        message = "\n".join(
            _(
                "%(kind)s: %(created)s created, %(updated)s updated, "
                "%(archived)s archived, %(unchanged)s unchanged, %(failed)s failed",
                kind=dict(log._fields["kind"].selection)[log.kind],
                created=log.count_created,
                updated=log.count_updated,
                archived=log.count_archived,
                unchanged=log.count_unchanged,
                failed=log.count_failed,
            )
            for log in logs
        )
        failed = any(log.state in ("failed", "partial") for log in logs)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Pleo sync"),
                "message": message,
                "type": "warning" if failed else "success",
                "sticky": failed,
            },
        }

    @api.model
    def _cron_pleo_sync(self, kind):
        level = {"tags": "2", "tax_codes": "3", "accounts": "3", "vendors": "4"}[kind]
        for connection in self._pleo_connections_for_cron():
            if not connection._level_at_least(level):
                continue
            try:
                connection.with_context(pleo_cron=True)._pleo_sync(kind)
            except (UserError, errors.PleoError) as exc:
                _logger.error(
                    "Pleo sync %s of connection %s failed: %s", kind, connection.id, exc
                )
                continue
            connection._pleo_commit()

    def _pleo_commit(self):
        if self.env.context.get("pleo_cron") and not (
            tools.config["test_enable"] or modules.module.current_test
        ):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _pleo_sync(self, kind):
        """Run one sync (tags, tax_codes, accounts, vendors); returns its log."""
        self.ensure_one()
        log = self.env["pleo.sync.log"]._pleo_start(self, kind)
        run = _Run(self, kind)
        client, start_count, error = None, 0, None
        try:
            client = self._pleo_sync_client()
            start_count = client.request_count
            getattr(self, f"_pleo_sync_{kind}")(client, run)
        except (errors.PleoError, UserError) as exc:
            _logger.warning(
                "Pleo sync %s of connection %s stopped: %s", kind, self.id, exc
            )
            error = _("Sync stopped: %s", exc)
        finally:
            run.flush()
        log._pleo_finish(
            run.counts,
            run.lines,
            request_count=client.request_count - start_count if client else 0,
            error=error,
        )
        return log

    def _pleo_sync_client(self):
        client = self._pleo_client()
        if hasattr(client, "page_size"):
            client.page_size = max(client.page_size or 0, 1000)
        return client

    # ------------------------------------------------------------------
    # Generic execution of a plan
    # ------------------------------------------------------------------
    def _pleo_bindings(self, kind, parent=None):
        domain = [("connection_id", "=", self.id), ("pleo_kind", "=", kind)]
        if parent is not None:
            domain.append(("pleo_parent_id", "=", parent))
        rows = (
            self.env["pleo.binding"]
            .sudo()
            .search_read(
                domain, ["res_id", "pleo_id", "pushed_hash", "archived", "origin"]
            )
        )
        return [
            Bound(
                r["res_id"], r["pleo_id"], r["pushed_hash"], r["archived"], r["origin"]
            )
            for r in rows
        ]

    def _pleo_binding_lookup(self, kind, keys):
        """{external key: Odoo record id} of what this connection pushed to Pleo,
        for mapping Pleo references (export items) back to Odoo records."""
        rows = (
            self.env["pleo.binding"]
            .sudo()
            .search_read(
                [
                    ("connection_id", "=", self.id),
                    ("pleo_kind", "=", kind),
                    ("external_key", "in", list(keys)),
                ],
                ["external_key", "res_id"],
            )
        )
        return {r["external_key"]: r["res_id"] for r in rows}

    def _pleo_apply(self, run, kind, plan, ops, labels, parent=None):
        """Perform ``plan`` with ``ops`` (callables per operation) and queue the
        bindings. ops: create(action) -> pleo_id; create_batch(actions) ->
        [(action, pleo_id | None, error | None)] (optional); update(action,
        archived) ; archive_batch(actions) (optional) or archive(action)."""

        def label(action):
            return labels.get(action.res_id) or action.pleo_id or "?"

        def bind(action, pleo_id, archived=False):
            if action.res_id is None:
                return
            run.bind(
                kind,
                {
                    "res_id": action.res_id,
                    "pleo_id": pleo_id,
                    "pleo_parent_id": parent,
                    "external_key": action.local.key if action.local else None,
                    "pushed_hash": action.hash,
                    "archived": archived,
                    "origin": ops.get("origin", {}).get(action.res_id, "odoo"),
                },
            )

        for res_id, message in plan.conflicts:
            run.fail(labels.get(res_id, str(res_id)), ValueError(message))
        run.forget.setdefault(kind, []).extend(plan.forget)
        run.counts["unchanged"] += len(plan.noops)
        for action in plan.noops:
            if action.bind:
                bind(action, action.pleo_id, archived=action.remote.archived)
        # Archive first: it frees Pleo's active-tag slots and unique codes.
        if plan.archives:
            if "archive_batch" in ops:
                try:
                    ops["archive_batch"](plan.archives)
                    done = plan.archives
                except RECORD_ERRORS:
                    done = []
                    for action in plan.archives:
                        try:
                            ops["archive_batch"]([action])
                            done.append(action)
                        except RECORD_ERRORS as exc:
                            run.fail(label(action), exc)
            else:
                done = []
                for action in plan.archives:
                    try:
                        ops["archive"](action)
                        done.append(action)
                    except RECORD_ERRORS as exc:
                        run.fail(label(action), exc)
            run.counts["archived"] += len(done)
            for action in done:
                if action.local is not None:
                    bind(action, action.pleo_id, archived=True)
        for action in plan.unarchives + plan.updates:
            try:
                ops["update"](action, False)
            except RECORD_ERRORS as exc:
                run.fail(label(action), exc)
                continue
            run.counts["updated"] += 1
            bind(action, action.pleo_id)
        creates = plan.creates
        if creates and "create_batch" in ops and len(creates) > 1:
            for action, pleo_id, error in ops["create_batch"](creates):
                if pleo_id:
                    run.counts["created"] += 1
                    bind(action, pleo_id)
                else:
                    run.fail(label(action), ValueError(error))
            creates = []
        for action in creates:
            try:
                pleo_id = ops["create"](action)
            except RECORD_ERRORS as exc:
                run.fail(label(action), exc)
                continue
            run.counts["created"] += 1
            bind(action, pleo_id)

    @staticmethod
    def _pleo_remote(row, keys, names, archived):
        return Remote(
            row["id"],
            tuple(row.get(k) for k in keys),
            {n: row.get(n) for n in names if n in row},
            archived,
        )

    # ------------------------------------------------------------------
    # Level 2: tags
    # ------------------------------------------------------------------
    def _pleo_sync_tags(self, client, run):
        plans = self.pleo_analytic_plan_ids
        bindings = self._pleo_bindings("tag_group")
        known_ids = set(plans.ids) | {b.res_id for b in bindings}
        Plan = self.env["account.analytic.plan"].sudo()
        plan_rows = Plan.search_read([("id", "in", list(known_ids))], ["name"])
        labels = {r["id"]: r["name"] for r in plan_rows}
        locals_ = []
        for row in plan_rows:
            code = f"PLAN{row['id']}"
            locals_.append(
                Local(
                    row["id"],
                    (code,),
                    {"code": code, "name": row["name"]},
                    active=row["id"] in plans.ids,
                )
            )
        remote_rows = client.list_tag_groups(include_archived=True)
        remotes = [
            self._pleo_remote(g, ("code",), ("code", "name"), bool(g.get("archived")))
            for g in remote_rows
        ]
        plan = plan_sync(
            locals_,
            remotes,
            bindings,
            case_insensitive=True,
            archive_unmatched=self.pleo_archive_unmatched,
        )

        def metadata(action):
            return {"odooModel": "account.analytic.plan", "odooId": str(action.res_id)}

        def create(action):
            values = action.local.values
            group = client.create_tag_group(
                values["code"],
                values["name"],
                archived=False,
                metadata=metadata(action),
            )
            return group["id"]

        def update(action, archived):
            values = action.local.values
            meta = (
                action.remote.values.get("metadata") if action.remote else None
            ) or {}
            client.update_tag_group(
                action.pleo_id,
                values["code"],
                values["name"],
                archived,
                metadata={**meta, **metadata(action)},
            )

        def archive(action):
            values = action.remote.values
            client.update_tag_group(
                action.pleo_id,
                values.get("code"),
                values.get("name"),
                True,
                metadata=values.get("metadata") or {},
            )

        self._pleo_apply(
            run,
            "tag_group",
            plan,
            {"create": create, "update": update, "archive": archive},
            labels,
        )
        run.flush()
        # Tags of every selected plan whose group is (now) active in Pleo.
        group_of_plan = {
            a.res_id: a.pleo_id
            for a in plan.noops + plan.updates + plan.unarchives
            if a.local.active
        }
        group_of_plan.update(self._pleo_created_groups(plan.creates, plans.ids))
        for plan_id in plans.ids:
            group_id = group_of_plan.get(plan_id)
            if group_id:
                self._pleo_sync_tags_of_group(client, run, plan_id, group_id)
                run.flush()

    def _pleo_created_groups(self, creates, plan_ids):
        if not creates:
            return {}
        rows = (
            self.env["pleo.binding"]
            .sudo()
            .search_read(
                [
                    ("connection_id", "=", self.id),
                    ("pleo_kind", "=", "tag_group"),
                    (
                        "res_id",
                        "in",
                        [a.res_id for a in creates if a.res_id in plan_ids],
                    ),
                ],
                ["res_id", "pleo_id"],
            )
        )
        return {r["res_id"]: r["pleo_id"] for r in rows}

    def _pleo_sync_tags_of_group(self, client, run, plan_id, group_id):
        Account = (
            self.env["account.analytic.account"].sudo().with_context(active_test=False)
        )
        rows = Account.search_read(
            [
                ("root_plan_id", "=", plan_id),
                ("company_id", "in", [False, self.company_id.id]),
            ],
            ["name", "code", "active"],
        )
        labels = {}
        locals_ = []
        for row in rows:
            code = (row["code"] or "").strip() or f"AA{row['id']}"
            labels[row["id"]] = f"{row['name']} [{code}]"
            locals_.append(
                Local(
                    row["id"],
                    (code,),
                    {"code": code, "name": row["name"]},
                    active=row["active"],
                )
            )
        remotes = [
            self._pleo_remote(t, ("code",), ("code", "name"), bool(t.get("archived")))
            for t in client.iter_tags(group_id, include_archived=True)
        ]
        bindings = self._pleo_bindings("tag", parent=group_id)
        # Accounts bound in another group (moved between plans) move here.
        plan = plan_sync(
            locals_,
            remotes,
            bindings,
            case_insensitive=True,
            archive_unmatched=self.pleo_archive_unmatched,
        )

        def create(action):
            values = action.local.values
            return client.create_tag(group_id, values["code"], values["name"])["id"]

        def update(action, archived):
            values = action.local.values
            client.update_tag(action.pleo_id, values["code"], values["name"], archived)

        def archive_batch(actions):
            client.set_tags_archived([a.pleo_id for a in actions], archived=True)

        self._pleo_apply(
            run,
            "tag",
            plan,
            {"create": create, "update": update, "archive_batch": archive_batch},
            labels,
            parent=group_id,
        )

    # ------------------------------------------------------------------
    # Level 3: tax codes, then accounts
    # ------------------------------------------------------------------
    def _pleo_tax_rows(self):
        """Purchase taxes of the company as Locals (and labels, skipped lines)."""
        company = self.company_id
        Tax = self.env["account.tax"].sudo().with_context(active_test=False)
        names = ["name", "amount", "amount_type", "price_include", "active"]
        has_pleo_code = "pleo_code" in Tax._fields
        if has_pleo_code:
            names.append("pleo_code")
        taxes = Tax.search_read(
            [("type_tax_use", "=", "purchase"), ("company_id", "=", company.id)], names
        )
        reps = (
            self.env["account.tax.repartition.line"]
            .sudo()
            .search_read(
                [
                    ("tax_id", "in", [t["id"] for t in taxes]),
                    ("document_type", "=", "invoice"),
                    ("repartition_type", "=", "tax"),
                ],
                ["tax_id", "factor_percent", "account_id"],
            )
        )
        account_ids = {r["account_id"][0] for r in reps if r["account_id"]}
        codes = {
            a["id"]: a["code"]
            for a in self.env["account.account"]
            .sudo()
            .with_company(company)
            .with_context(active_test=False)
            .search_read([("id", "in", list(account_ids))], ["code"])
        }
        lines_of = {}
        for rep in reps:
            lines_of.setdefault(rep["tax_id"][0], []).append(rep)
        locals_, labels, skipped = [], {}, []
        for tax in taxes:
            labels[tax["id"]] = tax["name"]
            if tax["amount_type"] not in ("percent", "division") or not (
                0 <= tax["amount"] <= 100
            ):
                skipped.append(
                    _(
                        "%s: skipped, Pleo tax codes need a percentage rate",
                        tax["name"],
                    )
                )
                continue
            code = (tax.get("pleo_code") or "").strip() or f"TAX{tax['id']}"
            lines = lines_of.get(tax["id"], [])
            negative = [r for r in lines if r["factor_percent"] < 0]
            positive = [r for r in lines if r["factor_percent"] > 0]
            ingoing = outgoing = None
            if negative:
                # Reverse charge: the tax is both due (negative line, output VAT)
                # and deductible (positive line, input VAT).
                tax_type = "reverse"
                ingoing = next(
                    (
                        codes.get(r["account_id"][0])
                        for r in positive
                        if r["account_id"]
                    ),
                    None,
                )
                outgoing = next(
                    (
                        codes.get(r["account_id"][0])
                        for r in negative
                        if r["account_id"]
                    ),
                    None,
                )
            elif self.pleo_tax_type_policy == "odoo" and not tax["price_include"]:
                tax_type = "exclusive"
            else:
                tax_type = "inclusive"
            values = {
                "code": code,
                "name": tax["name"][:255],
                "rate": round(tax["amount"] / 100.0, 6),
                "type": tax_type,
                "ingoingTaxAccount": ingoing,
                "outgoingTaxAccount": outgoing,
            }
            locals_.append(Local(tax["id"], (code,), values, active=tax["active"]))
        return locals_, labels, skipped

    def _pleo_sync_tax_codes(self, client, run):
        locals_, labels, skipped = self._pleo_tax_rows()
        run.lines.extend(skipped)
        names = (
            "code",
            "name",
            "rate",
            "type",
            "ingoingTaxAccount",
            "outgoingTaxAccount",
        )
        remotes = [
            self._pleo_remote(t, ("code",), names, bool(t.get("archived")))
            for t in client.iter_tax_codes()
        ]
        plan = plan_sync(
            locals_,
            remotes,
            self._pleo_bindings("tax_code"),
            archive_unmatched=self.pleo_archive_unmatched,
        )

        def kwargs(values, archived):
            return {
                "code": values.get("code"),
                "archived": archived,
                "ingoing_tax_account": values.get("ingoingTaxAccount"),
                "outgoing_tax_account": values.get("outgoingTaxAccount"),
            }

        def create(action):
            values = action.local.values
            return client.create_tax_code(
                values["name"], values["rate"], values["type"], **kwargs(values, False)
            )["id"]

        def update(action, archived):
            values = action.local.values
            client.update_tax_code(
                action.pleo_id,
                values["name"],
                values["rate"],
                values["type"],
                **kwargs(values, archived),
            )

        def archive(action):
            values = action.remote.values
            client.update_tax_code(
                action.pleo_id,
                values.get("name"),
                values.get("rate"),
                values.get("type"),
                **kwargs(values, True),
            )

        self._pleo_apply(
            run,
            "tax_code",
            plan,
            {"create": create, "update": update, "archive": archive},
            labels,
        )

    def _pleo_account_domain(self):
        self.ensure_one()
        domain = safe_eval(self.pleo_account_domain or "[]")
        if not isinstance(domain, list | tuple):
            raise ValueError(_("A domain is a list of conditions."))
        return list(domain)

    def _pleo_sync_accounts(self, client, run):
        company = self.company_id
        Account = (
            self.env["account.account"]
            .sudo()
            .with_company(company)
            .with_context(active_test=False)
        )
        rows = Account.search_read(
            Account._check_company_domain(company) + self._pleo_account_domain(),
            ["name", "code", "deprecated", "tax_ids"],
        )
        # Tax codes Pleo knows (bound and active): the only valid references.
        tax_codes = {
            r["res_id"]: r["external_key"]
            for r in self.env["pleo.binding"]
            .sudo()
            .search_read(
                [
                    ("connection_id", "=", self.id),
                    ("pleo_kind", "=", "tax_code"),
                    ("archived", "=", False),
                ],
                ["res_id", "external_key"],
            )
        }
        all_tax_ids = sorted({t for r in rows for t in r["tax_ids"]})
        purchase = {
            t["id"]: t["sequence"]
            for t in self.env["account.tax"]
            .sudo()
            .search_read(
                [("id", "in", all_tax_ids), ("type_tax_use", "=", "purchase")],
                ["sequence"],
            )
        }
        labels, locals_ = {}, []
        for row in rows:
            taxes = sorted((purchase[t], t) for t in row["tax_ids"] if t in purchase)
            tax_code = next((tax_codes[t] for _seq, t in taxes if t in tax_codes), None)
            external_id = str(row["id"])
            labels[row["id"]] = f"{row['code']} {row['name']}"
            values = {
                "externalId": external_id,
                "code": row["code"] or None,
                "name": row["name"][:255],
                "taxCodeExternalId": tax_code,
            }
            locals_.append(
                Local(row["id"], (external_id,), values, active=not row["deprecated"])
            )
        names = ("externalId", "code", "name", "taxCodeExternalId")
        remotes = [
            self._pleo_remote(a, ("externalId",), names, bool(a.get("archived")))
            for a in client.iter_accounts()
        ]
        plan = plan_sync(
            locals_,
            remotes,
            self._pleo_bindings("account"),
            archive_unmatched=self.pleo_archive_unmatched,
        )

        def create(action):
            values = action.local.values
            return client.create_account(
                values["externalId"],
                values["name"],
                code=values["code"],
                archived=False,
                tax_code_external_id=values["taxCodeExternalId"],
            )["id"]

        def create_batch(actions):
            by_external = {a.local.values["externalId"]: a for a in actions}
            items = [{**a.local.values, "archived": False} for a in actions]
            for item in items:
                if item["taxCodeExternalId"] is None:
                    del item["taxCodeExternalId"]
            result = client.create_accounts_batch(items)
            out = []
            for row in result.get("created") or []:
                action = by_external.pop(row.get("externalId"), None)
                if action:
                    out.append((action, row["id"], None))
            for failure in result.get("failed") or []:
                request = failure.get("request") or {}
                action = by_external.pop(request.get("externalId"), None)
                if action:
                    reasons = ", ".join(failure.get("reasons") or []) or "refused"
                    out.append((action, None, reasons))
            out.extend((a, None, "no answer from Pleo") for a in by_external.values())
            return out

        def update(action, archived):
            values = action.local.values
            client.update_account(
                action.pleo_id,
                values["name"],
                archived,
                code=values["code"],
                tax_code_external_id=values["taxCodeExternalId"],
            )

        def archive(action):
            values = action.remote.values
            client.update_account(
                action.pleo_id,
                values.get("name"),
                True,
                code=values.get("code"),
                tax_code_external_id=values.get("taxCodeExternalId"),
            )

        self._pleo_apply(
            run,
            "account",
            plan,
            {
                "create": create,
                "create_batch": create_batch,
                "update": update,
                "archive": archive,
            },
            labels,
        )

    # ------------------------------------------------------------------
    # Level 4: vendors
    # ------------------------------------------------------------------
    def _pleo_vendor_domain(self):
        return [
            ("supplier_rank", ">", 0),
            ("company_id", "in", [False, self.company_id.id]),
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
        ]

    def _pleo_vendor_locals(self, domain):
        company = self.company_id
        Partner = (
            self.env["res.partner"]
            .sudo()
            .with_company(company)
            .with_context(active_test=False)
        )
        names = ["name", "vat", "company_registry", "country_id", "ref", "active"]
        has_currency = "property_purchase_currency_id" in Partner._fields
        if has_currency:
            names.append("property_purchase_currency_id")
        rows = Partner.search_read(domain, names, load=None)
        countries = {
            c["id"]: c["code"]
            for c in self.env["res.country"]
            .sudo()
            .search_read(
                [
                    (
                        "id",
                        "in",
                        list({r["country_id"] for r in rows if r["country_id"]}),
                    )
                ],
                ["code"],
            )
        }
        currencies = {
            c["id"]: c["name"]
            for c in self.env["res.currency"]
            .sudo()
            .with_context(active_test=False)
            .search_read([], ["name"])
        }
        default_currency = company.currency_id.name
        locals_, labels = [], {}
        for row in rows:
            external_id = str(row["id"])
            code = (row["ref"] or "").strip() or external_id
            currency_id = row.get("property_purchase_currency_id")
            values = {
                "name": (row["name"] or external_id)[:255],
                "defaultCurrency": currencies.get(currency_id) or default_currency,
                "code": code,
                "externalId": external_id,
                "country": countries.get(row["country_id"]),
                "registrationNumber": row["company_registry"] or None,
                "taxRegistrationNumber": row["vat"] or None,
            }
            labels[row["id"]] = values["name"]
            keys = (external_id, code, _vat_key(row["vat"]))
            locals_.append(Local(row["id"], keys, values, active=row["active"]))
        return locals_, labels

    def _pleo_sync_vendors(self, client, run):
        locals_, labels = self._pleo_vendor_locals(self._pleo_vendor_domain())
        remotes = []
        drafts = {}
        for vendor in client.iter_vendors():
            remote = Remote(
                vendor["id"],
                (
                    vendor.get("externalId"),
                    vendor.get("code"),
                    _vat_key(vendor.get("taxRegistrationNumber")),
                ),
                {n: vendor.get(n) for n in VENDOR_FIELDS},
                vendor.get("state") == "ARCHIVED",
            )
            remotes.append(remote)
            if vendor.get("state") == "DRAFT":
                drafts[vendor["id"]] = vendor
        bindings = self._pleo_bindings("vendor")
        plan = plan_sync(locals_, remotes, bindings, archive_unmatched=False)
        origin = {b.res_id: b.origin for b in bindings}

        def payload(values, state):
            return {
                "name": values["name"],
                "default_currency": values["defaultCurrency"],
                "code": values["code"],
                "external_id": values["externalId"],
                "country": values["country"],
                "registration_number": values["registrationNumber"],
                "tax_registration_number": values["taxRegistrationNumber"],
                "state": state,
            }

        def create(action):
            values = dict(payload(action.local.values, None))
            del values["state"]
            return client.create_vendor(**values)["id"]

        def update(action, archived):
            client.update_vendor(
                action.pleo_id,
                **payload(action.local.values, "ARCHIVED" if archived else "ACTIVE"),
            )

        def archive(action):
            client.archive_vendor(action.pleo_id)

        self._pleo_apply(
            run,
            "vendor",
            plan,
            {
                "create": create,
                "update": update,
                "archive": archive,
                "origin": origin,
            },
            labels,
        )
        # Drafts nobody in Odoo claims: the webhook was missed; import them now.
        run.flush()
        claimed = {
            a.pleo_id
            for a in plan.updates + plan.unarchives + plan.noops + plan.archives
        }
        for pleo_id, vendor in drafts.items():
            if pleo_id in claimed:
                continue
            try:
                with self.env.cr.savepoint():
                    outcome = self._pleo_vendor_to_partner(vendor, client)
            except RECORD_ERRORS as exc:
                run.fail(vendor.get("name") or pleo_id, exc)
                continue
            run.counts["created" if outcome == "created" else "updated"] += 1

    # ------------------------------------------------------------------
    # Level 4: vendors created in Pleo (webhook v1.vendor.created)
    # ------------------------------------------------------------------
    def _pleo_webhook_handlers(self):
        handlers = super()._pleo_webhook_handlers()
        handlers["v1.vendor.created"] = "_pleo_on_vendor_created"
        return handlers

    def _pleo_on_vendor_created(self, data):
        self.ensure_one()
        if not self._level_at_least("4") or not data.get("id"):
            return
        log = self.env["pleo.sync.log"]._pleo_start(self, "vendor_webhook")
        run = _Run(self, "vendor_webhook")
        client = self._pleo_sync_client()
        try:
            outcome = self._pleo_vendor_to_partner(data, client)
            key = {"created": "created", "linked": "updated"}.get(outcome, "unchanged")
            run.counts[key] += 1
            error = None
        except RECORD_ERRORS as exc:
            run.fail(data.get("name") or data["id"], exc)
            error = None
        log._pleo_finish(run.counts, run.lines, client.request_count, error=error)

    def _pleo_vendor_to_partner(self, vendor, client):
        """Find or create the partner of a Pleo vendor, bind it, activate it in
        Pleo. Idempotent: a vendor already bound is only re-activated if needed.
        Returns "created", "linked" or "known"."""
        self.ensure_one()
        Binding = self.env["pleo.binding"].sudo()
        # Serialise concurrent deliveries for this connection until commit. An
        # advisory lock, not a row lock: a token refresh locks the connection row
        # from another cursor and must not wait for us.
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock(hashtext('pleo_vendor_webhook'), %s)",
            [self.id],
        )
        known = Binding.search(
            [
                ("connection_id", "=", self.id),
                ("pleo_kind", "=", "vendor"),
                ("pleo_id", "=", vendor["id"]),
            ],
            limit=1,
        )
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        if known:
            partner = Partner.browse(known.res_id).exists()
            if partner:
                if vendor.get("state") == "DRAFT":
                    client.activate_vendor(
                        vendor["id"], str(partner.id), partner.ref or str(partner.id)
                    )
                return "known"
        partner = self._pleo_match_partner(vendor)
        outcome = "linked"
        if partner:
            other = Binding.search(
                [
                    ("connection_id", "=", self.id),
                    ("pleo_kind", "=", "vendor"),
                    ("res_id", "=", partner.id),
                    ("pleo_id", "!=", vendor["id"]),
                ],
                limit=1,
            )
            if other:
                raise errors.PleoConflict(
                    _(
                        "Pleo vendor %(vendor)s duplicates partner %(partner)s, "
                        "already linked to Pleo vendor %(other)s: merge them in "
                        "Pleo.",
                        vendor=vendor.get("name"),
                        partner=partner.display_name,
                        other=other.pleo_id,
                    )
                )
            if not partner.supplier_rank:
                partner.supplier_rank = 1
        else:
            values = self._pleo_partner_values(vendor)
            try:
                with self.env.cr.savepoint():
                    partner = Partner.create(values)
            except ValidationError:
                # A VAT number Odoo's checks refuse: keep the vendor, drop the VAT.
                partner = Partner.create({**values, "vat": False})
            outcome = "created"
        code = partner.ref or str(partner.id)
        client.activate_vendor(vendor["id"], str(partner.id), code)
        locals_, _labels = self._pleo_vendor_locals([("id", "=", partner.id)])
        values = locals_[0].values
        Binding._pleo_upsert(
            self,
            "vendor",
            [
                {
                    "res_id": partner.id,
                    "pleo_id": vendor["id"],
                    "external_key": str(partner.id),
                    "pushed_hash": payload_hash(values),
                    "origin": "pleo",
                }
            ],
        )
        _logger.info(
            "Pleo vendor %s %s as partner %s", vendor["id"], outcome, partner.id
        )
        return outcome

    def _pleo_match_partner(self, vendor):
        """The partner a Pleo vendor is: same VAT, else exactly the same name."""
        Partner = self.env["res.partner"].sudo()
        base = [
            ("company_id", "in", [False, self.company_id.id]),
            "|",
            ("is_company", "=", True),
            ("parent_id", "=", False),
        ]
        vat = _vat_key(vendor.get("taxRegistrationNumber"))
        if vat:
            # VAT numbers compared without spaces, dots or dashes, any case.
            self.env["res.partner"].flush_model(["vat"])
            self.env.cr.execute(
                "SELECT id FROM res_partner WHERE vat IS NOT NULL AND "
                "upper(regexp_replace(vat, '[^0-9A-Za-z]', '', 'g')) = %s",
                [vat],
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            if ids:
                found = Partner.search(
                    base + [("id", "in", ids)], order="supplier_rank desc, id", limit=1
                )
                if found:
                    return found
        name = (vendor.get("name") or "").strip()
        if name:
            candidates = Partner.search(
                base + [("name", "=", name)], order="supplier_rank desc, id"
            )
            country = vendor.get("country")
            same_country = candidates.filtered(
                lambda p: country and p.country_id.code == country
            )
            return (same_country or candidates)[:1]
        return Partner

    def _pleo_partner_values(self, vendor):
        country = False
        if vendor.get("country"):
            country = self.env["res.country"].search(
                [("code", "=", vendor["country"].upper())], limit=1
            )
        values = {
            "name": vendor.get("name") or vendor["id"],
            "is_company": True,
            "supplier_rank": 1,
            "company_id": self.company_id.id,
            "country_id": country.id if country else False,
            "vat": vendor.get("taxRegistrationNumber") or False,
            "company_registry": vendor.get("registrationNumber") or False,
        }
        Partner = self.env["res.partner"]
        currency_code = vendor.get("defaultCurrency")
        if currency_code and "property_purchase_currency_id" in Partner._fields:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", currency_code)], limit=1)
            )
            if currency and currency != self.company_id.currency_id:
                values["property_purchase_currency_id"] = currency.id
        return values
