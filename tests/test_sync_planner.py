"""The master-data sync planner: which Pleo calls a sync makes, without Odoo."""

from pleo_connector.services.sync_planner import (
    Bound,
    Local,
    Remote,
    payload_hash,
    plan_sync,
)


def tag(res_id, code, name, active=True):
    return Local(res_id, (code,), {"code": code, "name": name}, active)


def remote(pleo_id, code, name, archived=False):
    return Remote(pleo_id, (code,), {"code": code, "name": name}, archived)


def bound(res_id, pleo_id, local, archived=False, origin="odoo"):
    return Bound(res_id, pleo_id, payload_hash(local.values), archived, origin)


def ops(plan):
    return {
        "create": sorted(a.res_id for a in plan.creates),
        "update": sorted(a.res_id for a in plan.updates),
        "unarchive": sorted(a.res_id for a in plan.unarchives),
        "archive": sorted(a.pleo_id for a in plan.archives),
        "noop": sorted(a.res_id for a in plan.noops),
        "conflict": sorted(r for r, _msg in plan.conflicts),
    }


def test_first_sync_creates_everything_active():
    locals_ = [tag(1, "A", "Alpha"), tag(2, "B", "Beta"), tag(3, "C", "Old", False)]
    plan = plan_sync(locals_, [], [])
    assert ops(plan)["create"] == [1, 2]
    assert plan.write_count == 2
    assert all(a.hash == payload_hash(a.local.values) for a in plan.creates)


def test_unchanged_second_sync_is_all_noop_without_binding_writes():
    a, b = tag(1, "A", "Alpha"), tag(2, "B", "Beta")
    remotes = [remote("p1", "A", "Alpha"), remote("p2", "B", "Beta")]
    plan = plan_sync([a, b], remotes, [bound(1, "p1", a), bound(2, "p2", b)])
    assert plan.write_count == 0
    assert ops(plan)["noop"] == [1, 2]
    assert not any(action.bind for action in plan.noops)


def test_rename_in_odoo_is_one_update():
    old = tag(1, "A", "Alpha")
    new = tag(1, "A", "Alpha renamed")
    plan = plan_sync([new], [remote("p1", "A", "Alpha")], [bound(1, "p1", old)])
    assert ops(plan)["update"] == [1]
    assert plan.write_count == 1
    assert plan.updates[0].pleo_id == "p1"
    assert plan.updates[0].reason == "changed in Odoo"


def test_code_change_keeps_the_pleo_record():
    """The binding, not the code, identifies the record: a new code is an update."""
    old = tag(1, "A", "Alpha")
    new = tag(1, "A2", "Alpha")
    plan = plan_sync([new], [remote("p1", "A", "Alpha")], [bound(1, "p1", old)])
    assert ops(plan) == {**ops(plan), "update": [1], "create": [], "archive": []}


def test_archived_in_odoo_archives_in_pleo_once():
    a = tag(1, "A", "Alpha")
    gone = tag(1, "A", "Alpha", active=False)
    plan = plan_sync([gone], [remote("p1", "A", "Alpha")], [bound(1, "p1", a)])
    assert ops(plan)["archive"] == ["p1"]
    assert plan.archives[0].bind
    # Next run: Pleo has it archived, the binding says archived: nothing to do.
    plan = plan_sync(
        [gone],
        [remote("p1", "A", "Alpha", archived=True)],
        [bound(1, "p1", gone, archived=True)],
    )
    assert plan.write_count == 0


def test_deleted_in_odoo_archives_and_forgets_binding():
    a = tag(1, "A", "Alpha")
    plan = plan_sync([], [remote("p1", "A", "Alpha")], [bound(1, "p1", a)])
    assert ops(plan)["archive"] == ["p1"]
    assert plan.forget == [1]


def test_reactivated_in_odoo_unarchives():
    a = tag(1, "A", "Alpha")
    plan = plan_sync(
        [a], [remote("p1", "A", "Alpha", archived=True)], [bound(1, "p1", a, True)]
    )
    assert ops(plan)["unarchive"] == [1]
    assert plan.write_count == 1


def test_lost_binding_relinks_by_key_case_insensitive():
    a = tag(1, "dept", "Department")
    plan = plan_sync(
        [a], [remote("p1", "DEPT", "Department")], [], case_insensitive=True
    )
    # The code's case differs, Odoo wins: one update of p1, no create.
    assert ops(plan)["update"] == [1]
    assert plan.updates[0].pleo_id == "p1"
    assert not plan.creates


def test_matching_by_key_with_same_values_only_writes_binding():
    a = tag(1, "A", "Alpha")
    plan = plan_sync([a], [remote("p1", "A", "Alpha")], [])
    assert plan.write_count == 0
    assert plan.noops[0].bind and plan.noops[0].pleo_id == "p1"


def test_unmatched_pleo_records_are_archived_or_left_alone():
    remotes = [remote("p1", "X", "Pleo only"), remote("p2", "Y", "old", True)]
    plan = plan_sync([], remotes, [])
    assert ops(plan)["archive"] == ["p1"]  # already archived p2 stays as is
    plan = plan_sync([], remotes, [], archive_unmatched=False)
    assert plan.write_count == 0


def test_changed_in_pleo_only_is_put_back_to_odoo_values():
    a = tag(1, "A", "Alpha")
    plan = plan_sync([a], [remote("p1", "A", "Edited in Pleo")], [bound(1, "p1", a)])
    assert ops(plan)["update"] == [1]
    assert plan.updates[0].reason == "changed in Pleo"


def test_changed_in_both_places_odoo_wins():
    old = tag(1, "A", "Alpha")
    new = tag(1, "A", "Alpha (Odoo)")
    plan = plan_sync([new], [remote("p1", "A", "Alpha (Pleo)")], [bound(1, "p1", old)])
    assert ops(plan)["update"] == [1]
    assert plan.updates[0].local.values["name"] == "Alpha (Odoo)"


def test_vendor_created_in_pleo_keeps_pleo_edits_until_odoo_changes():
    partner = Local(7, ("7",), {"name": "Acme", "defaultCurrency": "EUR"})
    pleo = Remote("v1", ("7",), {"name": "ACME Ltd", "defaultCurrency": "EUR"})
    link = bound(7, "v1", partner, origin="pleo")
    assert plan_sync([partner], [pleo], [link]).write_count == 0
    changed = Local(7, ("7",), {"name": "Acme", "defaultCurrency": "DKK"})
    assert ops(plan_sync([changed], [pleo], [link]))["update"] == [7]


def test_duplicate_key_in_odoo_is_a_conflict_without_call():
    a, twin = tag(1, "A", "Alpha"), tag(2, "a", "Alpha twin")
    plan = plan_sync(
        [a, twin],
        [remote("p1", "A", "Alpha")],
        [bound(1, "p1", a)],
        case_insensitive=True,
    )
    assert ops(plan)["conflict"] == [2]
    assert plan.write_count == 0
    # Both new: the first is created, the twin is not (Pleo would answer 409).
    plan = plan_sync([a, twin], [], [], case_insensitive=True)
    assert ops(plan)["create"] == [1, 2]  # nothing in Pleo yet to collide with


def test_duplicates_in_pleo_keep_name_match_and_archive_the_rest():
    a = tag(1, "A", "Alpha")
    remotes = [remote("p1", "A", "Other"), remote("p2", "A", "Alpha")]
    plan = plan_sync([a], remotes, [])
    assert plan.noops[0].pleo_id == "p2"
    assert ops(plan)["archive"] == ["p1"]


def test_alternative_keys_link_active_records_only():
    vendor = Local(5, ("5", "V5", "DK123"), {"name": "Acme", "externalId": "5"})
    draft = Remote("v9", (None, None, "DK123"), {"name": "Acme", "externalId": None})
    plan = plan_sync([vendor], [draft], [], archive_unmatched=False)
    assert ops(plan)["update"] == [5]  # linked by VAT, externalId set by the update
    inactive = Local(5, ("5", "V5", "DK123"), {"name": "Acme"}, active=False)
    plan = plan_sync([inactive], [draft], [], archive_unmatched=False)
    assert plan.write_count == 0 and not plan.noops


def test_binding_to_vanished_pleo_record_recreates():
    a = tag(1, "A", "Alpha")
    plan = plan_sync([a], [], [bound(1, "gone", a)])
    assert ops(plan)["create"] == [1]
    inactive = tag(1, "A", "Alpha", active=False)
    plan = plan_sync([inactive], [], [bound(1, "gone", a)])
    assert plan.write_count == 0 and plan.forget == [1]


def test_rates_compare_as_numbers():
    local = Local(1, ("T1",), {"code": "T1", "rate": 0.25, "name": "VAT"})
    pleo = Remote("t1", ("T1",), {"code": "T1", "rate": 0.250000001, "name": "VAT"})
    assert plan_sync([local], [pleo], [bound(1, "t1", local)]).write_count == 0


# --- adopting a Pleo company's existing master data ---------------------------------
def group(res_id, name):
    code = f"PLAN{res_id}"
    return Local(res_id, (code,), {"code": code, "name": name}, True, "code", True)


def test_existing_record_of_the_same_name_is_adopted_not_duplicated():
    plan = plan_sync(
        [tag(1, "SALES", "Sales")],
        [remote("p1", "S-01", "SALES")],  # same name, other case, other code
        [],
        case_insensitive=True,
    )
    assert plan.creates == []
    (action,) = plan.adopted
    assert (action.res_id, action.pleo_id) == (1, "p1")
    # Odoo's own key and name are pushed: the record is updated, once.
    assert ops(plan)["update"] == [1]
    assert action.local.values == {"code": "SALES", "name": "Sales"}
    assert plan.summary()["adopt"] == 1


def test_a_key_match_is_never_taken_by_another_records_name():
    # Odoo 1 is named like Pleo's p2, whose code belongs to Odoo 2.
    plan = plan_sync(
        [tag(1, "NEW", "Beta"), tag(2, "B", "Beta")],
        [remote("p2", "B", "Beta")],
        [],
    )
    assert {a.res_id: a.pleo_id for a in plan.noops} == {2: "p2"}
    assert ops(plan)["create"] == [1]


def test_adopted_record_keeps_its_pleo_code_where_odoo_has_none():
    plan = plan_sync([group(7, "Department")], [remote("g1", "DEPT", "Department")], [])
    (action,) = plan.adopted
    assert action.op == "noop"
    assert action.local.key == "DEPT"
    assert action.local.values["code"] == "DEPT"


def test_name_match_prefers_an_active_record_and_the_exact_spelling():
    plan = plan_sync(
        [tag(1, "X", "Travel")],
        [
            remote("old", "T1", "Travel", archived=True),
            remote("caps", "T2", "TRAVEL"),
            remote("same", "T3", "Travel"),
        ],
        [],
        archive_unmatched=False,
    )
    assert [a.pleo_id for a in plan.adopted] == ["same"]
    assert plan.archives == []


def test_names_are_not_matched_when_asked_not_to():
    plan = plan_sync(
        [tag(1, "X", "Travel")], [remote("p", "T", "Travel")], [], match_names=False
    )
    assert ops(plan)["create"] == [1]
