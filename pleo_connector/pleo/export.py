"""Export API v3: jobs, job events, job items (control layer), export items (data)."""

from __future__ import annotations

from .client_base import chunks, compact, segment

# Pleo refuses more with 413 EXPORT_JOB_ITEMS_UPDATE_LIMIT.
JOB_ITEMS_PER_UPDATE = 100


class ExportMixin:
    def list_export_jobs(self, statuses=("pending",)):
        """Export jobs in the given statuses, oldest first (Pleo queues them so)."""
        params = {
            "company_id": self.company_id,
            "statuses": list(statuses or ()),
            "sorting_keys": "createdAt",
            "sorting_order": "ASC",
        }
        return self._items("GET", "/v3/export-jobs", params=params)

    def get_export_job(self, job_id):
        return self._data("GET", f"/v3/export-jobs/{segment(job_id)}")

    def post_export_job_event(
        self, job_id, event, failure_reason=None, failure_reason_type=None
    ):
        """Move a job on: "started", "completed", "completed_with_errors", "failed".

        Not retried after a lost answer: Pleo refuses a repeated transition (422).
        """
        body = compact(
            {
                "jobId": str(job_id),
                "event": event,
                "failureReason": failure_reason,
                "failureReasonType": failure_reason_type,
            }
        )
        return self._data("POST", "/v3/export-job-events", json=body)

    def iter_export_job_items(self, job_id, status=None):
        """The job's items with their export status (the control layer)."""
        path = f"/v3/export-jobs/{segment(job_id)}/items"
        return self._items("GET", path, params={"status": status})

    def iter_export_item_pages(self, job_id):
        """The job's export items (the bookkeeping data), one page list at a time."""
        params = {"job_id": str(job_id)}
        return self._pages("GET", "/v3/export-items", params=params)

    def iter_export_item_pages_from(self, job_id, after=None):
        """(cursor, page) pairs of the job's export items, from the page the
        `after` cursor names (the first page without one)."""
        params = {"job_id": str(job_id)}
        return self._cursored_pages(
            "GET", "/v3/export-items", params=params, after=after
        )

    def iter_export_items(self, job_id):
        for page in self.iter_export_item_pages(job_id):
            yield from page

    def update_export_job_items(self, job_id, updates):
        """Report item outcomes, in calls of at most 100 items.

        Returns {"data": [updated items], "errors": [per-item refusals]} merged
        over all calls; Pleo accepts an update partly, so read "errors".
        """
        path = f"/v3/export-jobs/{segment(job_id)}/items"
        merged = {"data": [], "errors": []}
        for chunk in chunks(updates, JOB_ITEMS_PER_UPDATE):
            # A PUT of final statuses: repeating it changes nothing.
            body = self._request("PUT", path, json=chunk) or {}
            merged["data"].extend(body.get("data") or [])
            merged["errors"].extend(body.get("errors") or [])
        return merged
