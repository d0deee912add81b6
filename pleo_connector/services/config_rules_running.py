# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The configuration check's rules about what runs the export and the syncs:
periods, journals, pending jobs, scheduled actions, the first sync, webhooks
and the authorisation."""

from __future__ import annotations

from datetime import timedelta

from .config_check import AMBER, GREEN, RED, Finding, Fix, RulesBase

# Pleo keeps a refresh token at least 60 days; warn a fortnight before.
TOKEN_WARN_DAYS = 45
# A job created this long after the last webhook delivery means none arrived.
WEBHOOK_GRACE = timedelta(hours=1)


class RunningRules(RulesBase):
    """Rules of the periods, journals, jobs, schedules, webhooks and access."""

    # -- periods and journals ------------------------------------------------
    def lock_date(self, closed, policy, sampled):
        """Pending expenses whose accounting date Odoo's lock dates close.
        `closed` are (day, lock dates text), `policy` the connection's
        closed-period rule, `sampled` how many pending expenses were read."""
        if not closed:
            return [
                Finding(
                    "lock_date",
                    GREEN,
                    self._("No pending expense is dated in a closed period"),
                    self._(
                        "%(count)s pending expense(s) read from Pleo.", count=sampled
                    ),
                )
            ]
        day, locks = min(closed)
        if policy == "fail":
            return [
                Finding(
                    "lock_date",
                    RED,
                    self._(
                        "%(count)s pending expense(s) are dated in a closed period",
                        count=len(closed),
                    ),
                    self._(
                        "They will fail: the oldest is of %(day)s, closed by "
                        "%(locks)s. Reopen the period, or choose 'Book on the first "
                        "open date' as Closed Period on the connection's Export tab.",
                        day=day,
                        locks=locks,
                    ),
                    self.connection_fix(),
                )
            ]
        return [
            Finding(
                "lock_date",
                AMBER,
                self._(
                    "%(count)s pending expense(s) are dated in a closed period",
                    count=len(closed),
                ),
                self._(
                    "They will be booked on the first open date, not on their own "
                    "(the oldest is of %(day)s, closed by %(locks)s). If they belong "
                    "to the closed period, move the lock date before the export "
                    "runs.",
                    day=day,
                    locks=locks,
                ),
                Fix(
                    self._("Open the accounting settings"),
                    action="account.action_account_config",
                ),
            )
        ]

    def journals(self, journal, purchase_journal, wallet_journals, vendor_based):
        """The journals the export books in: `journal` and `purchase_journal`
        are (name, active) or None, `wallet_journals` (currency, name,
        active); `vendor_based`: a pending job books vendor bills."""
        fix = self.connection_fix()
        problems = []
        if not journal:
            detail = self._(
                "Every export job fails ('journal missing') until the connection "
                "has its Pleo journal (Export tab)."
            )
            problems.append(
                Finding("journals", RED, self._("No Pleo journal"), detail, fix)
            )
        if not purchase_journal:
            detail = self._(
                "Export jobs of Pleo's accounts payable bookkeeping fail until the "
                "connection has a purchase journal (Export tab)."
            )
            title = self._("No vendor bills journal")
            severity = RED if vendor_based else AMBER
            problems.append(Finding("journals", severity, title, detail, fix))
        used = [j for j in (journal, purchase_journal) if j]
        used += [(name, active) for _currency, name, active in wallet_journals]
        problems += [
            Finding(
                "journals",
                RED,
                self._("Journal %(journal)s is archived", journal=name),
                self._(
                    "The export books in it: restore it, or choose another journal "
                    "on the connection's Export tab."
                ),
                fix,
            )
            for name, active in used
            if not active
        ]
        if problems:
            return problems
        title = self._(
            "The export's journals are set: %(journals)s",
            journals=", ".join(dict.fromkeys(name for name, _a in used)),
        )
        return [Finding("journals", GREEN, title)]

    def pending_jobs(self, problems, count):
        """Pending export jobs (`count` read) that the export's own pre-export
        check would fail: (job id, reason) pairs."""
        if not problems:
            if not count:
                return []
            return [
                Finding(
                    "pending_jobs",
                    GREEN,
                    self._(
                        "The %(count)s pending export job(s) pass the pre-export check",
                        count=count,
                    ),
                )
            ]
        return self.capped(
            "pending_jobs",
            [
                Finding(
                    "pending_jobs",
                    RED,
                    self._("Pending export job %(job)s would fail", job=job),
                    reason,
                    self.connection_fix(),
                )
                for job, reason in problems
            ],
        )

    # -- what runs it --------------------------------------------------------
    def crons(self, crons):
        """The scheduled actions the level needs: (name, id or None, active)."""
        problems = []
        for name, cron_id, active in crons:
            if cron_id is None:
                problems.append(
                    Finding(
                        "crons",
                        RED,
                        self._("Scheduled action %(name)s is missing", name=name),
                        self._(
                            "Nothing happens on schedule. Update the Pleo Connector "
                            "module to restore it."
                        ),
                    )
                )
            elif not active:
                problems.append(
                    Finding(
                        "crons",
                        RED,
                        self._("Scheduled action %(name)s is inactive", name=name),
                        self._(
                            "Nothing happens on schedule until an administrator "
                            "activates it (Settings > Technical > Scheduled Actions)."
                        ),
                        Fix(
                            self._("Open the scheduled action"),
                            model="ir.cron",
                            res_id=cron_id,
                        ),
                    )
                )
        if problems:
            return problems
        return [
            Finding(
                "crons",
                GREEN,
                self._(
                    "The scheduled actions are active: %(names)s",
                    names=", ".join(name for name, _i, _a in crons),
                ),
            )
        ]

    def first_sync(self, level, adopted):
        """Levels 2-4: the scheduled syncs wait for the first sync's preview."""
        if int(level) < 2:
            return []
        if adopted:
            return [Finding("first_sync", GREEN, self._("The first sync is confirmed"))]
        return [
            Finding(
                "first_sync",
                AMBER,
                self._("The first sync waits for its preview"),
                self._(
                    "No master data goes to Pleo until a Pleo manager has seen and "
                    "confirmed what the first sync will do."
                ),
                Fix(
                    self._("Preview the first sync"), method="action_pleo_sync_preview"
                ),
            )
        ]

    def webhooks(
        self, registered, facts, expected_url, expected_events, last, newest_job
    ):
        """The webhook subscription as Pleo has it, and whether deliveries
        arrive: `last` is the last delivery received, `newest_job` when the
        newest export job Odoo imported was created in Pleo (datetimes)."""
        fix = Fix(self._("Register webhooks"), method="action_pleo_register_webhooks")
        if not registered:
            detail = self._(
                "New export jobs wait for the scheduled action instead of arriving "
                "at once, and vendors created in Pleo (level 4) do not come to "
                "Odoo. Register them where Pleo can reach this Odoo over HTTPS."
            )
            title = self._("Webhooks are not registered")
            return [Finding("webhooks", AMBER, title, detail, fix)]
        again = self._("Pleo sends nothing to this Odoo: register the webhooks again.")
        if facts.subscription_missing:
            title = self._("Pleo no longer has the webhook subscription")
            return [Finding("webhooks", RED, title, again, fix)]
        if not facts.read:
            return []
        problem = self._subscription_problem(
            facts.subscription or {}, expected_url, expected_events, again
        )
        if problem:
            return [Finding("webhooks", *problem, fix)]
        since = last or facts.subscription_created
        if newest_job and since and newest_job > since + WEBHOOK_GRACE:
            detail = self._(
                "Export jobs created in Pleo after that arrived by polling only. "
                "Check that Pleo reaches this Odoo over HTTPS (and, with several "
                "databases, the dbfilter)."
            )
            title = self._("No webhook delivery since %(when)s", when=since)
            return [Finding("webhooks", AMBER, title, detail, fix)]
        detail = self._("Last delivery: %(when)s", when=last or "-")
        title = self._("Webhooks are registered and active")
        return [Finding("webhooks", GREEN, title, detail)]

    def _subscription_problem(self, sub, expected_url, expected_events, again):
        """(severity, title, detail) of what is wrong with Pleo's subscription."""
        if sub.get("status") not in (None, "ACTIVE"):
            title = self._(
                "Pleo's webhook subscription is %(status)s", status=sub["status"]
            )
            return RED, title, again
        if sub.get("endpointUrl") != expected_url:
            detail = self._(
                "The subscription does not point to this Odoo's webhook address "
                "(its URL or database changed): register the webhooks again."
            )
            return RED, self._("Pleo delivers webhooks to another address"), detail
        subscribed = sub.get("eventTypes") or []
        missing = [e for e in expected_events if e not in subscribed]
        if missing:
            title = self._(
                "The webhook subscription lacks %(events)s", events=", ".join(missing)
            )
            return AMBER, title, self._("Register the webhooks again to add them.")
        return None

    def authorisation(self, state, auth_method, revoked, facts, rotated_at, now):
        """Whether Pleo accepts the connection's credential, and how old an
        OAuth refresh token is (`rotated_at`: when it was last renewed)."""
        refused = self._refused(state, auth_method, revoked, facts)
        if refused:
            return [refused]
        if auth_method == "api_key":
            detail = self._("API keys do not expire; Pleo rotates them only by hand.")
            title = self._("Pleo accepts the API key")
            return [Finding("authorisation", GREEN, title, detail)]
        # Odoo stores the moment in UTC: say so, to the minute.
        when = f"{rotated_at:%Y-%m-%d %H:%M} UTC" if rotated_at else "-"
        if rotated_at and now - rotated_at > timedelta(days=TOKEN_WARN_DAYS):
            detail = self._(
                "Pleo keeps a refresh token at least 60 days and renews it at each "
                "use; this one was last renewed on %(when)s. Test the connection "
                "(or Sync now) to renew it before it expires.",
                when=when,
            )
            title = self._(
                "The refresh token is %(days)s days old", days=(now - rotated_at).days
            )
            fix = Fix(self._("Test connection"), method="action_pleo_test_connection")
            return [Finding("authorisation", AMBER, title, detail, fix)]
        detail = self._("Refresh token last renewed on %(when)s.", when=when)
        title = self._("Pleo accepts the authorisation")
        return [Finding("authorisation", GREEN, title, detail)]

    def _refused(self, state, auth_method, revoked, facts):
        """The red finding when the connection cannot call Pleo, else None."""
        if state == "draft":
            detail = self._(
                "Nothing is exported or synchronised: set the connection up."
            )
            fix = Fix(self._("Set up"), method="action_pleo_open_setup")
            title = self._("Not connected to Pleo")
            return Finding("authorisation", RED, title, detail, fix)
        if state == "reauth" or revoked:
            detail = self._(
                "%(reason)s An administrator uses Connect to Pleo to authorise again.",
                reason=revoked or "",
            ).strip()
            title = self._("Pleo refused the authorisation")
            return Finding("authorisation", RED, title, detail, self.connection_fix())
        if not facts.error_kind:
            return None
        titles = {
            "refused": self._("Pleo refused the API key")
            if auth_method == "api_key"
            else self._("Pleo refused the access token"),
            "unreachable": self._("Pleo could not be reached"),
            "setup": self._("The connection cannot call Pleo"),
        }
        title = titles.get(facts.error_kind, titles["unreachable"])
        return Finding("authorisation", RED, title, facts.error, self.connection_fix())
