# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Decide which Pleo calls a master-data sync needs: a pure diff, no Odoo, no HTTP.

Inputs, all plain data:

- ``locals_``: the Odoo records as they should look in Pleo (:class:`Local`), active
  and inactive ones (an inactive record is archived in Pleo, not forgotten);
- ``remotes``: what Pleo holds now, active and archived (:class:`Remote`);
- ``bindings``: which Odoo record was last pushed to which Pleo record, with the
  hash of the values pushed (:class:`Bound`).

Output: a :class:`Plan` of creates, updates, unarchives, archives, no-ops, conflicts
and bindings to forget. The caller performs the calls and writes the bindings.

Matching, in this order:

1. a binding (Odoo record -> Pleo id) whose Pleo record still exists;
2. the ERP key (``Local.keys[0]``: tag ``code``, account ``externalId``, tax code
   ``code``, vendor ``externalId``), case-insensitive when asked (tags, as Pleo's
   guide says), so a lost binding or an interrupted first sync re-links instead of
   creating twins;
3. alternative keys (``Local.keys[1:]``, e.g. a vendor's code then VAT number), for
   active records only, each Pleo record claimed at most once;
4. the exact name, case-insensitive (``match_names``), for active records only:
   a Pleo company that already has master data (made by hand or by an earlier
   integration) is adopted, not duplicated.

A match without a binding is an *adoption* (``Action.adopted``): the Pleo record is
bound and updated to Odoo's values. Where Odoo's key yields (``Local.yields_key``:
Odoo made it up, e.g. ``PLAN<id>`` for a tag group, or Pleo cannot change it, as
an account's ``externalId``), the adopted record keeps Pleo's key
(``Local.key_field``), and the binding remembers it for the next syncs.

Conflict rule (documented in readme/USAGE.md): Odoo is the source of truth for
tags, accounts, tax codes and for vendors pushed from Odoo. A record changed in
both places gets Odoo's values; a record changed only in Pleo is put back to
Odoo's values at the next sync. Vendors that were created in Pleo and linked to an
Odoo partner (``Bound.origin == "pleo"``) are pushed only when the partner changes
in Odoo (hash differs), so a bookkeeper's edits in Pleo survive until then.
Records deleted or archived in Odoo are archived in Pleo, never deleted. Active
Pleo records that no Odoo record claims are archived when ``archive_unmatched``
(Pleo's reconcile rule for tags, accounts and tax codes), left alone otherwise
(vendors, which bookkeepers also create in Pleo). When two Odoo records want the
same Pleo key, the first (lowest id) wins and the other is a conflict: no call.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

CREATE = "create"
UPDATE = "update"
UNARCHIVE = "unarchive"
ARCHIVE = "archive"
NOOP = "noop"


@dataclass(frozen=True)
class Local:
    """An Odoo record as Pleo should hold it."""

    res_id: int
    keys: tuple  # (primary ERP key, alternative keys...); None entries are skipped
    values: dict  # the payload compared with Pleo and pushed
    active: bool = True
    # The values field holding keys[0], and whether Odoo's key yields to the key
    # of an adopted Pleo record (made up by Odoo, or not changeable in Pleo).
    key_field: str | None = None
    yields_key: bool = False

    @property
    def key(self):
        return self.keys[0]


@dataclass(frozen=True)
class Remote:
    """A Pleo record as read from the API (values under the same names as Local)."""

    pleo_id: str
    keys: tuple
    values: dict
    archived: bool = False


@dataclass(frozen=True)
class Bound:
    """A binding: Odoo record ``res_id`` was pushed to Pleo record ``pleo_id``."""

    res_id: int
    pleo_id: str
    hash: str | None = None
    archived: bool = False
    origin: str = "odoo"  # "pleo": created in Pleo and linked (vendors)
    external_key: str | None = None


@dataclass(frozen=True)
class Action:
    op: str
    res_id: int | None = None
    pleo_id: str | None = None
    local: Local | None = None
    remote: Remote | None = None
    hash: str | None = None
    reason: str = ""
    # The binding row must be written (new link, new hash, archived flag changed).
    bind: bool = False
    # Matched to an existing Pleo record that no binding pointed at.
    adopted: bool = False


@dataclass
class Plan:
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unarchives: list = field(default_factory=list)
    archives: list = field(default_factory=list)
    noops: list = field(default_factory=list)
    conflicts: list = field(default_factory=list)  # (res_id, message)
    forget: list = field(default_factory=list)  # res_ids whose binding is dropped

    @property
    def write_count(self):
        """Number of records that need a write call (before batching)."""
        return (
            len(self.creates)
            + len(self.updates)
            + len(self.unarchives)
            + len(self.archives)
        )

    @property
    def adopted(self):
        """Actions binding an existing Pleo record for the first time."""
        return [
            a
            for a in self.noops + self.updates + self.unarchives + self.archives
            if a.adopted
        ]

    def summary(self):
        return {
            "adopt": len(self.adopted),
            "create": len(self.creates),
            "update": len(self.updates),
            "unarchive": len(self.unarchives),
            "archive": len(self.archives),
            "noop": len(self.noops),
            "conflict": len(self.conflicts),
        }


def payload_hash(values):
    """Stable hash of a payload: what was pushed, so an unchanged record is skipped."""
    raw = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(raw.encode()).hexdigest()


def _norm(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return round(float(value), 6)
    if isinstance(value, str):
        return value.strip()
    return value


def same_values(local_values, remote_values):
    """True when Pleo holds what Odoo wants (fields Pleo did not return are ignored;
    None and "" are the same; numbers compared to 6 decimals)."""
    for name, value in local_values.items():
        if name not in remote_values:
            continue
        if _norm(value) != _norm(remote_values[name]):
            return False
    return True


def _fold(key, case_insensitive):
    if key is None or key == "":
        return None
    key = str(key).strip()
    return key.lower() if case_insensitive else key


def plan_sync(
    locals_,
    remotes,
    bindings,
    *,
    case_insensitive=False,
    archive_unmatched=True,
    match_names=True,
):
    """Diff Odoo rows, Pleo rows and bindings into a :class:`Plan` (see module doc)."""
    plan = Plan()
    remote_by_id = {r.pleo_id: r for r in remotes}
    bound_by_res = {b.res_id: b for b in bindings}
    claimed = {}  # pleo_id -> res_id

    # Pleo-side indexes, one per key level. With duplicates (Pleo allows none on
    # `code`, but old data may hold some) the first listed wins; the others stay
    # unclaimed and get archived, as Pleo's guide asks.
    depth = max((len(loc.keys) for loc in locals_), default=1)
    indexes = [{} for _ in range(depth)]
    names = {}
    for remote in remotes:
        for level, key in enumerate(remote.keys[:depth]):
            folded = _fold(key, case_insensitive)
            if folded is not None:
                indexes[level].setdefault(folded, []).append(remote)
        name = _fold(remote.values.get("name"), True) if match_names else None
        if name is not None:
            names.setdefault(name, []).append(remote)

    ordered = sorted(locals_, key=lambda loc: loc.res_id)
    pending = []
    # Pass 1: bindings whose Pleo record still exists claim it first, so a record
    # renamed onto another record's old key cannot steal that record's Pleo row.
    for local in ordered:
        bound = bound_by_res.get(local.res_id)
        if bound and bound.pleo_id in remote_by_id and bound.pleo_id not in claimed:
            claimed[bound.pleo_id] = local.res_id
            pending.append((local, bound, remote_by_id[bound.pleo_id]))
        else:
            pending.append((local, bound, None))

    # Pass 2: keys. Pass 3: names, only once every key has claimed its record,
    # so a name never takes the Pleo record another Odoo record's key names.
    keyed = []
    for local, bound, remote in pending:
        if remote is None:
            remote, conflict = _match(local, indexes, claimed, case_insensitive)
            if conflict:
                plan.conflicts.append((local.res_id, conflict))
                continue
            if remote is not None:
                claimed[remote.pleo_id] = local.res_id
        keyed.append((local, bound, remote))
    for local, bound, remote in keyed:
        if remote is None and local.active:
            remote = _match_name(local, names, claimed)
            if remote is not None:
                claimed[remote.pleo_id] = local.res_id
        if remote is None and bound and not local.active:
            plan.forget.append(local.res_id)
            continue
        _decide(plan, local, bound, remote)

    # Bindings of Odoo records that no longer exist (deleted, or out of scope).
    local_ids = {loc.res_id for loc in locals_}
    for bound in bindings:
        if bound.res_id in local_ids:
            continue
        remote = remote_by_id.get(bound.pleo_id)
        if remote is None or bound.pleo_id in claimed:
            plan.forget.append(bound.res_id)
            continue
        claimed[bound.pleo_id] = bound.res_id
        if remote.archived:
            plan.forget.append(bound.res_id)
        else:
            plan.archives.append(
                Action(
                    ARCHIVE,
                    res_id=bound.res_id,
                    pleo_id=remote.pleo_id,
                    remote=remote,
                    reason="deleted in Odoo",
                )
            )
            plan.forget.append(bound.res_id)

    if archive_unmatched:
        for remote in remotes:
            if remote.pleo_id in claimed or remote.archived:
                continue
            plan.archives.append(
                Action(
                    ARCHIVE,
                    pleo_id=remote.pleo_id,
                    remote=remote,
                    reason="not in Odoo",
                )
            )
    return plan


def _match(local, indexes, claimed, case_insensitive):
    """The unclaimed Pleo record matching ``local`` by key, or a conflict message."""
    levels = local.keys if local.active else local.keys[:1]
    for level, key in enumerate(levels):
        folded = _fold(key, case_insensitive)
        if folded is None or level >= len(indexes):
            continue
        candidates = indexes[level].get(folded, [])
        free = [r for r in candidates if r.pleo_id not in claimed]
        if free:
            # Prefer the duplicate whose name matches (Pleo's guide on twins).
            name = local.values.get("name")
            for remote in free:
                if remote.values.get("name") == name:
                    return remote, None
            return free[0], None
        if candidates and level == 0 and local.active:
            other = claimed[candidates[0].pleo_id]
            return None, (
                f"Key {key!r} is already used by another record (id {other}) "
                "in Pleo; give this record a unique code."
            )
    return None, None


def _match_name(local, names, claimed):
    """The unclaimed Pleo record of the same name (any case), or None."""
    name = _fold(local.values.get("name"), True)
    free = [r for r in names.get(name, []) if r.pleo_id not in claimed]
    # Prefer an active one, then the exact spelling.
    free.sort(key=lambda r: (r.archived, r.values.get("name") != local.values["name"]))
    return free[0] if free else None


def _keep_pleo_key(local, remote):
    """`local` with the adopted Pleo record's key in place of a made-up one."""
    theirs = remote.values.get(local.key_field) if local.key_field else None
    if not local.yields_key or not theirs or theirs == local.key:
        return local
    return Local(
        local.res_id,
        (theirs, *local.keys[1:]),
        {**local.values, local.key_field: theirs},
        local.active,
        local.key_field,
        local.yields_key,
    )


def _decide(plan, local, bound, remote):
    adopted = remote is not None and (bound is None or bound.pleo_id != remote.pleo_id)
    if adopted:
        local = _keep_pleo_key(local, remote)
    new_hash = payload_hash(local.values)
    if remote is None:
        if local.active:
            plan.creates.append(
                Action(CREATE, res_id=local.res_id, local=local, hash=new_hash)
            )
        return
    rebind = bound is None or bound.pleo_id != remote.pleo_id
    common = {
        "res_id": local.res_id,
        "pleo_id": remote.pleo_id,
        "local": local,
        "remote": remote,
        "hash": new_hash,
        "adopted": adopted and bound is None,
    }
    if not local.active:
        if remote.archived:
            bind = rebind or not bound.archived
            plan.noops.append(Action(NOOP, bind=bind, reason="archived", **common))
        else:
            plan.archives.append(
                Action(ARCHIVE, bind=True, reason="archived in Odoo", **common)
            )
        return
    if remote.archived:
        plan.unarchives.append(
            Action(UNARCHIVE, bind=True, reason="active in Odoo", **common)
        )
        return
    changed_in_odoo = bound is None or bound.hash != new_hash
    from_pleo = bound is not None and bound.origin == "pleo" and not rebind
    if from_pleo:
        differs = changed_in_odoo
    else:
        differs = not same_values(local.values, remote.values)
    if differs:
        reason = "changed in Odoo" if changed_in_odoo else "changed in Pleo"
        plan.updates.append(Action(UPDATE, bind=True, reason=reason, **common))
        return
    bind = rebind or bound.hash != new_hash or bound.archived
    plan.noops.append(Action(NOOP, bind=bind, **common))
