"""Export jobs and their items' reported outcomes (the state behind Export API v3).

Item reports are stored sparsely (only items the client reported), item data is
generated on demand by `seed`, so state stays small for very large jobs.
"""

from __future__ import annotations

import re
import uuid

from . import seed as seeds
from .common import derived_id, is_uuid, iso
from .web import ApiError

FINAL = ("failed", "completed", "completed_with_errors")
ITEM_STATUSES = ("pending", "in_progress", "failed", "successful", "abandoned")
HEX12 = re.compile(r"^[0-9a-f]{12}$")


def _not_found(job_id):
    return ApiError(404, "EXPORT_NOT_FOUND", f"Export job {job_id} not found.")


class Report:
    """What the client reported for one item."""

    __slots__ = (
        "status",
        "external_id",
        "external_url",
        "failure_reason",
        "failure_reason_type",
        "exported_at",
        "updates",
    )

    def __init__(self):
        self.status = "pending"
        self.external_id = self.external_url = None
        self.failure_reason = self.failure_reason_type = self.exported_at = None
        self.updates = 0


class Job:
    def __init__(self, store, *, recipes, count, created_at, cycle_offset=0, refs=None):
        state = store.state
        self.seq = store.next_seq()
        if state.config.stable_ids:
            self.id = derived_id("job", self.seq)
            prefix = uuid.uuid5(uuid.UUID(self.id), "entries").hex
        else:
            self.id = str(uuid.uuid4())
            prefix = uuid.uuid4().hex
        # Entry id = prefix + (index XOR mask): decodable, yet random-looking.
        self.mask = int(prefix[20:], 16)
        self.prefix = f"{prefix[:8]}-{prefix[8:12]}-{prefix[12:16]}-{prefix[16:20]}"
        self.company_id = state.company_id
        self.recipes = recipes
        self.count = count
        self.cycle_offset = cycle_offset
        self.refs = refs  # [(source job, index)] for jobs made of existing entries
        self.ref_index = {}
        if refs:
            self.ref_index = {j.entry_id(i): pos for pos, (j, i) in enumerate(refs)}
        self.receipts = state.config.receipts
        self.created_at = self.last_updated_at = created_at
        self.created_by = derived_id("user", "mette")
        self.started_at = self.completed_at = self.expired_at = None
        self.status = "pending"
        self.failure_reason = self.failure_reason_type = None
        self.is_interactive = True
        self.vendor_based = True
        self.abandoned = False  # unreported items of a closed job are abandoned
        self.reports: dict[int, Report] = {}

    # --- entries ---------------------------------------------------------------

    def entry_id(self, index: int) -> str:
        if self.refs:
            job, source_index = self.refs[index]
            return job.entry_id(source_index)
        return f"{self.prefix}-{index ^ self.mask:012x}"

    def index_of(self, entry_id: str):
        if self.refs:
            return self.ref_index.get(entry_id.lower())
        entry_id = entry_id.lower()
        head, _, tail = entry_id.rpartition("-")
        if head != self.prefix or not HEX12.match(tail):
            return None
        index = int(tail, 16) ^ self.mask
        return index if index < self.count else None

    def spec(self, index: int) -> seeds.ItemSpec:
        if self.refs:
            job, source_index = self.refs[index]
            spec = job.spec(source_index)
            spec.vendor_based = self.vendor_based
            return spec
        n = len(self.recipes)
        return seeds.ItemSpec(
            entry_id=self.entry_id(index),
            company_id=self.company_id,
            recipe_name=self.recipes[index % n],
            cycle=self.cycle_offset + index // n,
            reconciliation_id=self._book_id(index),
            previous_reconciliation_id=self._book_id(index - 1) if index else None,
            created_at=self.created_at,
            receipts=self.receipts,
            vendor_based=self.vendor_based,
        )

    def _book_id(self, index):
        return f"B{self.prefix[:6].upper()}{index + 1:06d}"

    # --- statuses --------------------------------------------------------------

    def item_status(self, index: int) -> str:
        report = self.reports.get(index)
        if report and report.status in ("successful", "failed"):
            return report.status
        if self.abandoned:
            return "abandoned"
        return report.status if report else "pending"

    def counts(self) -> dict:
        out = dict.fromkeys(ITEM_STATUSES, 0)
        for index in self.reports:
            out[self.item_status(index)] += 1
        out["abandoned" if self.abandoned else "pending"] += self.count - len(
            self.reports
        )
        return out

    def keys_with_status(self, status):
        """Indices of the items in `status` (all items when status is None)."""
        if status is None:
            return range(self.count)
        if not self.reports:  # nothing reported: every item has the same status
            same = "abandoned" if self.abandoned else "pending"
            return range(self.count) if status == same else []
        if status in ("successful", "failed"):
            return sorted(i for i in self.reports if self.item_status(i) == status)
        return [i for i in range(self.count) if self.item_status(i) == status]

    def item_json(self, index: int) -> dict:
        report = self.reports.get(index) or Report()
        return {
            "accountingEntryId": self.entry_id(index),
            "exportJobId": self.id,
            "status": self.item_status(index),
            "exportedAt": report.exported_at,
            "externalId": report.external_id,
            "externalUrl": report.external_url,
            "failureReason": report.failure_reason,
            "failureReasonType": report.failure_reason_type,
        }

    def reported(self) -> list:
        out = []
        for index in sorted(self.reports):
            row = self.item_json(index)
            row["index"] = index
            row["updates"] = self.reports[index].updates
            out.append(row)
        return out

    def expires_in(self, now, config) -> int:
        if self.status in FINAL:
            return 0
        if self.status == "pending" and not config.expire_pending:
            return int(config.job_expiry)
        return max(0, int(self.last_updated_at + config.job_expiry - now))

    def to_json(self, now, config) -> dict:
        return {
            "id": self.id,
            "companyId": self.company_id,
            "status": self.status,
            "createdAt": iso(self.created_at),
            "createdBy": self.created_by,
            "startedAt": iso(self.started_at),
            "completedAt": iso(self.completed_at),
            "expiredAt": iso(self.expired_at),
            "lastUpdatedAt": iso(self.last_updated_at),
            "expiresIn": self.expires_in(now, config),
            "numberOfItems": self.count,
            "isInteractive": self.is_interactive,
            "vendorBasedBookkeeping": self.vendor_based,
            "failureReason": self.failure_reason,
            "failureReasonType": self.failure_reason_type,
        }

    def webhook_json(self, now, config) -> dict:
        full = self.to_json(now, config)
        keys = ("id", "companyId", "status", "createdAt", "createdBy", "expiresIn")
        return {**{k: full[k] for k in keys}, "numberOfItems": self.count}

    def close(self, status, now, reason=None, reason_type=None):
        self.status = status
        self.last_updated_at = now
        if status != "failed":
            self.completed_at = now
        self.failure_reason, self.failure_reason_type = reason, reason_type
        self.abandoned = True


class ExportStore:
    def __init__(self, state):
        self.state = state
        self.jobs: dict[str, Job] = {}
        self.by_prefix: dict[str, Job] = {}
        self._seq = 0

    def next_seq(self):
        self._seq += 1
        return self._seq

    def create(
        self, seed, *, created_at=None, cycle_offset=0, refs=None, mix=None
    ) -> Job:
        """A job of the seed's items; an int seed N cycles through `mix` (a
        seed name or kind list; default the demo's kinds)."""
        now = self.state.clock.now()
        cycle = seeds.recipes_for(mix or "demo")  # an unknown mix is refused
        if refs:
            recipes, count = None, len(refs)
        elif isinstance(seed, int) and not isinstance(seed, bool):
            if seed < 1:
                raise ValueError("A job needs at least one item")
            recipes, count = cycle, seed
        else:
            recipes = seeds.recipes_for(seed)
            count = len(recipes)
        job = Job(
            self,
            recipes=recipes,
            count=count,
            created_at=now if created_at is None else created_at,
            cycle_offset=cycle_offset,
            refs=refs,
        )
        self.jobs[job.id] = job
        if not refs:
            self.by_prefix[job.prefix] = job
        return job

    def refresh(self, job: Job) -> Job:
        """Expire a job nobody touched for `job_expiry` seconds (Pleo: ~1 hour)."""
        config, now = self.state.config, self.state.clock.now()
        live = job.status == "in_progress" or (
            job.status == "pending" and config.expire_pending
        )
        if live and now - job.last_updated_at > config.job_expiry:
            expired = job.last_updated_at + config.job_expiry
            job.close("failed", expired, "Job not updated within expiry time limit")
            job.failure_reason_type = "job_expired"
            job.expired_at = expired
        return job

    def all(self) -> list[Job]:
        return [self.refresh(j) for j in self.jobs.values()]

    def get(self, job_id) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise _not_found(job_id)
        return self.refresh(job)

    def find_entry(self, entry_id):
        """(seeded job, index) owning an accounting entry id, or None."""
        if not is_uuid(entry_id):
            return None
        job = self.by_prefix.get(entry_id.lower()[:23])
        if job is None:
            return None
        index = job.index_of(entry_id)
        return None if index is None else (job, index)

    def entry_file(self, entry_id, n):
        found = self.find_entry(entry_id)
        return seeds.receipt(found[0].spec(found[1]), n) if found else None

    def entry_item(self, entry_id, base_url):
        found = self.find_entry(entry_id)
        if found is None:
            return None
        return self.build(found[0], found[1], base_url)

    def build(self, job: Job, index: int, base_url: str) -> dict:
        state = self.state
        spec = job.spec(index)
        expires = state.clock.now() + state.config.file_ttl

        def link(n, name):
            return state.signer.url(base_url, spec.entry_id, n, name, expires)

        return seeds.build_item(spec, link, base_url)
