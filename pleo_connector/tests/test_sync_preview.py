# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Pleo company that already has master data: preview, then adopt.

The sandbox's "migrating" seed is such a company: tag groups, tags, tax codes,
categories and vendors made by hand or by an earlier integration, with
near-duplicates (same name in another case; a vendor with the VAT number of an
Odoo partner, written differently).
"""

from odoo.tests import tagged

from .common_sync import PleoSyncCase


@tagged("post_install", "-at_install")
class TestFirstSyncPreview(PleoSyncCase):
    def setUp(self):
        super().setUp()
        self.sandbox.reset(seed="migrating")
        self.connection.pleo_sync_confirmed_at = False
        self.reset_requests()

    def _pleo_state(self):
        snap = self.pleo()
        return {
            "groups": {g["id"]: (g["code"], g["archived"]) for g in snap["groups"]},
            "tags": {t["id"]: (t["code"], t["archived"]) for t in snap["tags"]},
            "tax_codes": {t["id"]: t["archived"] for t in snap["tax_codes"]},
            "vendors": {v["id"]: v["state"] for v in snap["vendors"]},
        }

    def _lines(self, preview):
        return {line.kind: line for line in preview.line_ids}

    def test_preview_lists_what_the_first_sync_will_do_and_writes_nothing(self):
        before = self._pleo_state()
        action = self.connection.action_sync_tags()  # first sync: the preview
        self.assertEqual(action["res_model"], "pleo.sync.preview")
        preview = self.env["pleo.sync.preview"].browse(action["res_id"])
        self.assertEqual(self.write_calls(), {}, "the preview only read")
        self.assertEqual(self._pleo_state(), before)
        self.assertFalse(self.env["pleo.binding"].search_count([]))
        lines = self._lines(preview)
        self.assertEqual(
            set(lines), {"tag_group", "tag", "tax_code", "account", "vendor"}
        )
        # Department and Project exist in Pleo: adopted, the exact spelling
        # preferred over the near-duplicate "department".
        self.assertEqual(lines["tag_group"].adopt_count, 2)
        self.assertEqual(lines["tag_group"].create_count, 0)
        self.assertIn("Department", lines["tag_group"].details)
        # The partner with VAT DK12345678 is Pleo's "KONTORHOTELLET APS".
        self.assertIn("Kontorhotellet ApS", lines["vendor"].details.split("\n")[0])
        self.assertGreaterEqual(lines["tax_code"].adopt_count, 1)  # by name
        self.assertGreater(lines["tax_code"].create_count, 0)
        # Nothing is archived on a first sync.
        self.assertFalse(any(line.archive_count for line in preview.line_ids))

    def test_confirming_adopts_without_duplicates_or_archives(self):
        before = self._pleo_state()
        preview = self.env["pleo.sync.preview"]._pleo_build(self.connection)
        expected = {line.kind: line.create_count for line in preview.line_ids}
        preview.action_confirm()
        after = self._pleo_state()
        writes = self.write_calls()
        # What the preview announced is what was created, nothing more.
        self.assertEqual(
            writes.get("POST /v0/tag-groups", 0), expected["tag_group"], writes
        )
        self.assertEqual(len(after["groups"]), len(before["groups"]))
        # Nothing that existed was archived.
        for kind in ("groups", "tags"):
            for pleo_id, (_code, archived) in before[kind].items():
                self.assertEqual(after[kind][pleo_id][1], archived, pleo_id)
        for pleo_id, archived in before["tax_codes"].items():
            self.assertEqual(after["tax_codes"][pleo_id], archived, pleo_id)
        self.assertNotIn("ARCHIVED", set(after["vendors"].values()))
        # The old "department" group, a near-duplicate, is left alone.
        old = next(k for k, v in after["groups"].items() if v[0] == "OLD-DEPT")
        self.assertFalse(after["groups"][old][1])
        # The supplier is bound to a vendor Pleo had (by its code), not a new one;
        # vendors created are exactly those the preview announced.
        binding = self.env["pleo.binding"].search(
            [("pleo_kind", "=", "vendor"), ("res_id", "=", self.vendor_dk.id)]
        )
        self.assertIn(binding.pleo_id, before["vendors"])
        self.assertEqual(
            len(after["vendors"]), len(before["vendors"]) + expected["vendor"]
        )
        self.assertTrue(self.connection.pleo_sync_adopted)

    def test_scheduled_syncs_wait_for_the_confirmation(self):
        for kind in ("tags", "tax_codes", "accounts", "vendors"):
            self.env["pleo.connection"]._cron_pleo_sync(kind)
        self.assertEqual(self.write_calls(), {})
        self.assertFalse(self.connection.pleo_sync_log_ids)
        self.env["pleo.sync.preview"]._pleo_build(self.connection).action_confirm()
        self.reset_requests()
        self.env["pleo.connection"]._cron_pleo_sync("tags")
        self.assertTrue(self.connection.pleo_sync_log_ids)
