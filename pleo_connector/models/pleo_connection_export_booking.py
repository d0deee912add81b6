# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1 export booking: one page of export items -> account moves.

Moves are created with their receipts attached, closed periods handled, posted
when asked, and vendor bills paid from the Pleo wallet.
"""

import logging
from datetime import datetime

import psycopg2
import pytz
from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError

from ..pleo import errors
from ..services.export_items import (
    ReceiptUnavailable,
    item_failure,
    receipt_file_name,
    transient_reason,
)
from ..services.export_mapping import MappingError, map_export_item, wallet_account
from ..services.text import translate
from .ir_attachment_pleo import REPAIR_CONTEXT_KEY

_logger = logging.getLogger(__name__)

# A write that moves no amount (a move's main receipt, a bill's link to its
# Pleo payment): no balance check and no sync of tax and payment-term lines
# per move, and not a person's edit of it (Odoo's autopost of bills counts
# those).
NO_AMOUNT_WRITE = {
    "check_move_validity": False,
    "skip_invoice_sync": True,
    "skip_is_manually_modified": True,
}


class PleoBatchRefused(Exception):
    """Odoo refused a batch that its caller books again in smaller parts."""


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Booking: (connection, item payloads) -> moves; no other state
    # ------------------------------------------------------------------
    def _pleo_export_book_page(self, client, payloads, ctx=None, one_by_one=True):
        """Book items; returns {accountingEntryId: outcome}.

        outcome: {"status": "successful", "move": move},
        {"status": "failed", "failure_type": ..., "message": ...} or
        {"status": "deferred", "error": ReceiptUnavailable} (try again later).

        When Odoo refuses the items' batch, they are booked one by one, or,
        without `one_by_one`, PleoBatchRefused is raised.
        """
        self.ensure_one()
        ctx = ctx or self._pleo_export_context()
        outcomes = {
            entry: {"status": "successful", "move": move}
            for entry, move in self._pleo_export_live_moves(
                [p["accountingEntryId"] for p in payloads]
            ).items()
        }
        todo = [p for p in payloads if p["accountingEntryId"] not in outcomes]
        ready = self._pleo_export_map(todo, outcomes, ctx)
        prepared = self._pleo_export_with_receipts(client, ready, outcomes)
        prepared = self._pleo_export_match_bills(prepared, outcomes, ctx)
        if prepared:
            self._pleo_export_create_batch(prepared, outcomes, ctx, one_by_one)
        return outcomes

    def _pleo_export_live_moves(self, entry_ids):
        """{accountingEntryId: its live move} of the items already booked."""
        return {
            m.pleo_accounting_entry_id: m
            for m in self.env["account.move"].search(
                [
                    ("pleo_connection_id", "=", self.id),
                    ("pleo_accounting_entry_id", "in", entry_ids),
                    ("pleo_live", "=", True),
                ]
            )
        }

    def _pleo_export_map(self, payloads, outcomes, ctx):
        """[(payload, move values)] of the items that map; the others fail."""
        self._pleo_export_partners(payloads, ctx)
        ready = []
        memo = {}  # lock dates and timezone, the same for the whole batch
        for payload in payloads:
            try:
                ready.append((payload, self._pleo_export_prepare(payload, ctx, memo)))
            except MappingError as exc:
                outcomes[payload["accountingEntryId"]] = self._pleo_mapping_failure(
                    exc, payload
                )
        return ready

    def _pleo_mapping_failure(self, exc, payload):
        return item_failure(exc.failure_type, self._pleo_words(exc.text), payload)

    def _pleo_export_with_receipts(self, client, ready, outcomes):
        """[(payload, values, files)] of the items whose receipts all arrived;
        the others fail or wait, by what went wrong (`_pleo_receipt_problem`)."""
        receipts = self._pleo_export_download_page(client, [p for p, _v in ready])
        prepared = []
        for payload, vals in ready:
            entry = payload["accountingEntryId"]
            files = receipts[entry]
            if isinstance(files, MappingError):
                outcomes[entry] = self._pleo_mapping_failure(files, payload)
            elif isinstance(files, ReceiptUnavailable):
                # The run decides, by the attempts so far, to wait or to fail.
                outcomes[entry] = {"status": "deferred", "error": files}
            else:
                prepared.append((payload, vals, files))
        return prepared

    def _pleo_export_create_batch(self, prepared, outcomes, ctx, one_by_one=True):
        """Create the moves in one batch; if Odoo refuses it, one by one (or
        PleoBatchRefused, for the caller to split the batch)."""
        try:
            with self.env.cr.savepoint():
                moves = self._pleo_export_create_moves(prepared, ctx)
        except Exception as exc:  # fall back to one savepoint per item
            if not one_by_one and len(prepared) > 1:
                raise PleoBatchRefused(exc) from exc
            _logger.info("Pleo batch booking failed (%s); booking one by one", exc)
            moves = self.env["account.move"]
            for payload, vals, files in prepared:
                outcome = self._pleo_export_create_one(payload, vals, files, ctx)
                outcomes[payload["accountingEntryId"]] = outcome
                if outcome.pop("_created", False):
                    moves |= outcome["move"]
        else:
            for (payload, _vals, _files), move in zip(prepared, moves, strict=True):
                outcomes[payload["accountingEntryId"]] = {
                    "status": "successful",
                    "move": move,
                }
        self._pleo_export_link_corrections(moves)

    def _pleo_export_create_one(self, payload, vals, files, ctx):
        """One item's outcome, booked under its own savepoint (`_created`: the
        move is new, not one another worker booked meanwhile)."""
        entry = payload["accountingEntryId"]
        try:
            with self.env.cr.savepoint():
                move = self._pleo_export_create_moves([(payload, vals, files)], ctx)
            return {"status": "successful", "move": move, "_created": True}
        except psycopg2.IntegrityError:
            # Booked meanwhile by another worker: that move is the outcome.
            move = self._pleo_export_live_moves([entry]).get(entry)
            if move:
                return {"status": "successful", "move": move}
            return item_failure(
                "unexpected_failure",
                _("Odoo refused the entry (database constraint)."),
                payload,
            )
        except MappingError as exc:
            return self._pleo_mapping_failure(exc, payload)
        except (UserError, ValidationError) as exc:
            return item_failure(
                "accounting_system_validation_failure",
                _("Odoo refused the entry: %s", exc.args[0] if exc.args else exc),
                payload,
            )
        except Exception as exc:
            _logger.exception("Pleo item %s could not be booked", entry)
            return item_failure(
                "unexpected_failure",
                _("Unexpected error while booking: %s", exc),
                payload,
            )

    def _pleo_export_link_corrections(self, moves):
        """A re-booked expense names, in its chatter, the entries it replaces:
        those of the same Pleo expense that were cancelled or reversed."""
        by_entry = {m.pleo_accounting_entry_id: m for m in moves}
        if not by_entry:
            return
        replaced = self.env["account.move"].search(
            [
                ("pleo_connection_id", "=", self.id),
                ("pleo_accounting_entry_id", "in", list(by_entry)),
                ("pleo_live", "=", False),
            ]
        )
        for entry, move in by_entry.items():
            olds = replaced.filtered(lambda m, e=entry: m.pleo_accounting_entry_id == e)
            if not olds:
                continue
            links = Markup(", ").join(old._get_html_link() for old in olds)
            move.message_post(
                body=Markup(
                    _(
                        "Pleo exported this expense again after its entry %s was "
                        "cancelled or reversed: it is booked anew here."
                    )
                )
                % links
            )
            for old in olds:
                old.message_post(
                    body=Markup(_("Booked anew in %s.")) % move._get_html_link()
                )

    def _pleo_export_create_moves(self, prepared, ctx):
        """Create, attach receipts, post and settle, for already valid values."""
        Move = self.env["account.move"].with_context(
            skip_invoice_sync=True, tracking_disable=True, mail_create_nolog=True
        )
        vals_list = []
        for _payload, vals, _files in prepared:
            vals_list.append(dict(vals, pleo_connection_id=self.id))
        moves = Move.create(vals_list)
        att_vals = [
            vals
            for move, (_payload, _vals, files) in zip(moves, prepared, strict=True)
            for vals in self._pleo_receipt_vals(move, files)
        ]
        if att_vals:
            attachments = self._pleo_store_receipts(att_vals)
            first = {}
            for att in attachments:
                first.setdefault(att.res_id, att)
            for move in moves.with_context(**NO_AMOUNT_WRITE):
                if move.id in first:
                    move.message_main_attachment_id = first[move.id]
        if self.export_posting == "posted":
            moves.action_post()
        bills = moves.filtered(lambda m: m.move_type in ("in_invoice", "in_refund"))
        if bills:
            payloads = {p["accountingEntryId"]: p for p, _v, _f in prepared}
            self._pleo_export_settle(bills, payloads, ctx)
        return moves

    def _pleo_store_receipts(self, vals_list):
        """The receipts' attachments; a receipt file left cut off by a stopped
        worker is written again whole (ir_attachment_pleo.py)."""
        Attachment = self.env["ir.attachment"].with_context(
            **{REPAIR_CONTEXT_KEY: True}
        )
        return Attachment.create(vals_list)

    def _pleo_receipt_vals(self, move, files):
        """Attachment values of Pleo's receipts [(name, mimetype, bytes)] on `move`."""
        return [
            {
                "name": name,
                "raw": raw,
                "mimetype": mimetype,
                "res_model": "account.move",
                "res_id": move.id,
                "company_id": self.company_id.id,
            }
            for name, mimetype, raw in files
        ]

    def _pleo_export_settle(self, bills, payloads, ctx):
        """Pay vendor bills from the Pleo wallet: a wallet entry reconciled with
        the bill's payable line, so the bill is not left open."""
        Move = self.env["account.move"].with_context(tracking_disable=True)
        vals_list = []
        for bill in bills:
            payload = payloads[bill.pleo_accounting_entry_id]
            wallet_currency = payload["amount"]["inWalletCurrency"]["currency"]
            account_id = wallet_account(payload, ctx, wallet_currency)
            journal = (
                self.export_wallet_ids.filtered(
                    lambda w, c=wallet_currency: w.currency_id.name == c
                ).journal_id
                or self.export_journal_id
            )
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": bill.date,
                    "ref": _("Pleo payment of %s", bill.ref or bill.name),
                    "pleo_connection_id": self.id,
                    "line_ids": _wallet_payment_lines(bill, account_id),
                }
            )
        settlements = Move.create(vals_list)
        linked = bills.with_context(**NO_AMOUNT_WRITE)
        for bill, settlement in zip(linked, settlements, strict=True):
            bill.pleo_settlement_move_id = settlement
        if self.export_posting == "posted":
            # Draft mode: the same happens when a user posts the bill
            # (account_move_pleo_payment.py).
            bills._pleo_post_wallet_payment()

    def _pleo_export_prepare(self, payload, ctx, memo=None):
        """Move values for one item, with its accounting date decided.

        `memo` keeps what every item of a batch shares (the company's lock
        dates per day and journal, its timezone) across calls."""
        memo = {} if memo is None else memo
        ctx.accounting_date = self._pleo_export_local_date(payload.get("date"), memo)
        vals = map_export_item(payload, ctx)
        if vals["move_type"] != "entry":  # paid from the wallet: known up front
            wallet_account(
                payload, ctx, payload["amount"]["inWalletCurrency"]["currency"]
            )
        journal = self.env["account.journal"].browse(vals["journal_id"])
        has_tax = any(
            cmd[2].get("display_type") == "tax" or cmd[2].get("tax_repartition_line_id")
            for cmd in vals["line_ids"]
        )
        day = vals["date"]
        key = ("locks", day, has_tax, journal.id)
        if key not in memo:
            memo[key] = self.company_id._get_violated_lock_dates(day, has_tax, journal)
        if memo[key]:
            # Mapped again for the new day: a foreign wallet's rate is that of
            # the accounting date.
            ctx.accounting_date = self._pleo_export_open_date(vals, has_tax, memo[key])
            vals = map_export_item(payload, ctx)
        return vals

    def _pleo_export_open_date(self, vals, has_tax, locks):
        """The first date Odoo's lock dates leave open after the item's day, or
        a MappingError when the connection fails items of closed periods."""
        day = vals["date"]
        if self.export_closed_period == "fail":
            raise MappingError(
                "validation_failure",
                _(
                    "The accounting period of %(day)s is closed in Odoo "
                    "(%(locks)s). Reopen it, or set the connection to book on "
                    "the first open date, then export again.",
                    day=day,
                    locks=self.env["res.company"]._format_lock_dates(locks),
                ),
            )
        probe = self.env["account.move"].new(
            {
                "move_type": vals["move_type"],
                "journal_id": vals["journal_id"],
                "company_id": self.company_id.id,
                "date": day,
            }
        )
        return probe._get_accounting_date(day, has_tax, lock_dates=locks)

    def _pleo_words(self, text):
        """A sentence of the pure mapper in the reader's language."""
        return translate(text, self.env._)

    def _pleo_export_local_date(self, value, memo=None):
        """Pleo's UTC timestamp -> date in the company's timezone.

        The company's timezone is its partner's `tz`; else the user's; else UTC.
        """
        if not value:
            return fields.Date.context_today(self)
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        memo = {} if memo is None else memo
        if "tz" not in memo:
            tz_name = self.company_id.partner_id.tz or self.env.user.tz or "UTC"
            memo["tz"] = pytz.timezone(tz_name)
        return stamp.astimezone(memo["tz"]).date()

    def _pleo_export_download_page(self, client, payloads):
        """Every receipt of a page's items, downloaded at once:
        {accountingEntryId: [(name, mimetype, bytes)], or the MappingError /
        ReceiptUnavailable of its first receipt that failed}."""
        wanted = [
            (payload, n, file)
            for payload in payloads
            for n, file in enumerate(payload.get("files") or [], start=1)
        ]
        got = client.download_files([file.get("url") for _p, _n, file in wanted])
        out = {payload["accountingEntryId"]: [] for payload in payloads}
        for (payload, n, file), raw in zip(wanted, got, strict=True):
            entry = payload["accountingEntryId"]
            if not isinstance(out[entry], list):
                continue  # an earlier receipt of this item failed
            if isinstance(raw, errors.PleoError):
                out[entry] = self._pleo_receipt_problem(raw, n, payload)
            else:
                name = receipt_file_name(payload, n, file)
                out[entry].append((name, file.get("type"), raw))
        return out

    def _pleo_receipt_problem(self, exc, n, payload):
        """What a failed download of receipt `n` means for its item: wait for
        the next run (ReceiptUnavailable) or fail it (MappingError)."""
        if isinstance(exc, errors.PleoTokenRevoked):
            raise exc
        if isinstance(exc, errors.PleoPayloadTooLarge):
            return MappingError(
                "receipt_file_size_limit_exceeded",
                _("Receipt %(n)s is too large: %(err)s", n=n, err=exc),
            )
        if exc.retryable:
            _logger.info(
                "Pleo receipt %s of %s: %s", n, payload["accountingEntryId"], exc
            )
            return ReceiptUnavailable(n, transient_reason(exc))
        return MappingError(
            "receipt_download_failure",
            _("Receipt %(n)s could not be downloaded from Pleo: %(err)s", n=n, err=exc),
        )


def _wallet_payment_lines(bill, wallet_account_id):
    """Line commands of a bill's wallet payment: each payable line of the bill
    cleared against the wallet account, in the bill's currency."""
    lines = []
    for line in bill.line_ids.filtered(lambda x: x.display_type == "payment_term"):
        for account_id, sign in ((line.account_id.id, -1), (wallet_account_id, 1)):
            vals = {
                "name": bill.ref or bill.name,
                "account_id": account_id,
                "partner_id": line.partner_id.id,
                "currency_id": line.currency_id.id,
                "amount_currency": sign * line.amount_currency,
                "balance": sign * line.balance,
            }
            lines.append((0, 0, vals))
    return lines
