"""Export API v3 endpoints: jobs, job events, job items (control layer) and
export items (data layer), over the store in `exports`.
"""

from __future__ import annotations

from pleo_connector.pleo.enums import (
    EVENTS,
    ITEM_FAILURE_TYPES,
    JOB_FAILURE_TYPES,
    JOB_STATUSES,
)

from .common import check_company, is_uuid, iso, path_uuid, require
from .exports import FINAL, ITEM_STATUSES, Report
from .pagination import PageRequest, page_of
from .web import ApiError, Response, bad_request

UPDATE_LIMIT = 100

JOB_SORT = {
    "createdAt": lambda j: (j.created_at, j.seq),
    "lastUpdatedAt": lambda j: (j.last_updated_at, j.seq),
    "startedAt": lambda j: j.started_at,
    "completedAt": lambda j: j.completed_at,
    "status": lambda j: j.status,
    "id": lambda j: j.id,
}


def _enum(value, allowed, name, param=False):
    if value is not None and value not in allowed:
        kind = "PARAMETER_VALIDATION_FAILED" if param else "VALIDATION_FAILED"
        raise bad_request(
            f"Invalid [{name}] {value!r}; allowed: {', '.join(allowed)}", kind
        )
    return value


def list_jobs(state, req):
    check_company(state, req.arg("company_id"))
    statuses = req.args("statuses")
    for status in statuses:
        _enum(status, JOB_STATUSES, "statuses", param=True)
    page = PageRequest(req, state.config.max_page_size)
    jobs = [j for j in state.exports.all() if not statuses or j.status in statuses]
    jobs = page.sort(jobs, JOB_SORT, "createdAt")
    now = state.clock.now()
    body = page_of(page, range(len(jobs)), lambda i: jobs[i].to_json(now, state.config))
    return Response(200, body)


def get_job(state, req):
    job = state.exports.get(path_uuid(req, "jobId"))
    return Response(200, {"data": job.to_json(state.clock.now(), state.config)})


def create_job(state, req):
    body = req.json_object()
    require(body, "companyId", "accountingEntryIds")
    check_company(state, body["companyId"], where="companyId")
    ids = body["accountingEntryIds"]
    if not isinstance(ids, list) or not ids:
        raise bad_request("[accountingEntryIds] must be a non-empty list of UUIDs")
    if any(j.status == "in_progress" for j in state.exports.all()):
        raise ApiError(
            409,
            "EXPORT_ALREADY_IN_PROGRESS",
            "Export Job already in progress for this company.",
        )
    refs, unknown = [], []
    for entry_id in ids:
        found = (
            state.exports.find_entry(entry_id) if isinstance(entry_id, str) else None
        )
        if found is None:
            unknown.append(entry_id)
        else:
            refs.append(found)
    if unknown:
        raise bad_request(f"Accounting entries not found: {unknown}")
    job = state.exports.create(None, refs=refs)
    options = body.get("options") or {}
    job.vendor_based = bool(options.get("vendorBasedBookkeeping", False))
    job.is_interactive = bool(body.get("isInteractive", True))
    now = state.clock.now()
    response = Response(201, {"data": job.to_json(now, state.config)})
    snapshot = job.webhook_json(now, state.config)
    response.after.append(lambda: state.notify("v1.export-job.created", snapshot))
    return response


def post_event(state, req):
    body = req.json_object()
    require(body, "jobId", "event")
    job_id, event = body["jobId"], body["event"]
    if not is_uuid(job_id):
        raise bad_request("[jobId] must be a UUID")
    _enum(event, EVENTS, "event")
    reason_type = _enum(
        body.get("failureReasonType"), JOB_FAILURE_TYPES, "failureReasonType"
    )
    reason = body.get("failureReason")
    job = state.exports.get(job_id.lower())
    now = state.clock.now()

    def refuse(why):
        return ApiError(
            422,
            "INVALID_EXPORT_JOB_STATUS_CHANGE",
            f"Export Job status change failed: {why}",
        )

    if event == "started":
        if job.status != "pending":
            raise refuse(f"cannot start a job that is {job.status}")
        job.status, job.started_at, job.last_updated_at = "in_progress", now, now
    elif event == "failed":
        if job.status in FINAL:
            raise refuse(f"job is already {job.status}")
        job.close("failed", now, reason, reason_type)
    else:
        if job.status != "in_progress":
            raise refuse(f"cannot mark a {job.status} job as {event}")
        counts = job.counts()
        open_items = counts["pending"] + counts["in_progress"]
        if state.config.strict and open_items:
            raise refuse(f"{open_items} item(s) have not been reported yet")
        if state.config.strict and event == "completed" and counts["failed"]:
            raise refuse(
                f"{counts['failed']} item(s) failed; use completed_with_errors"
            )
        job.close(event, now, reason, reason_type)
    return Response(202)


def list_job_items(state, req):
    job = state.exports.get(path_uuid(req, "jobId"))
    status = _enum(req.arg("status") or None, ITEM_STATUSES, "status", param=True)
    keys = job.keys_with_status(status)
    page = PageRequest(req, state.config.max_page_size)
    return Response(200, page_of(page, keys, job.item_json))


def list_export_items(state, req):
    job_id = req.arg("job_id")
    if not job_id:
        raise bad_request(
            "Query parameter [job_id] is required", "PARAMETER_VALIDATION_FAILED"
        )
    if not is_uuid(job_id):
        raise bad_request("[job_id] must be a UUID", "PARAMETER_VALIDATION_FAILED")
    job = state.exports.get(job_id.lower())
    if job.status in FINAL:
        raise ApiError(
            422,
            "EXPORT_JOB_STATUS_UNPROCESSABLE",
            "Export Job is finished and can no longer be processed.",
        )
    page = PageRequest(req, state.config.max_page_size)
    base = req.base_url
    body = page_of(page, range(job.count), lambda i: state.exports.build(job, i, base))
    return Response(200, body)


def _check_update(entry):
    if not isinstance(entry, dict):
        raise bad_request("Every job item update must be a JSON object")
    require(entry, "accountingEntryId", "status")
    if not isinstance(entry["accountingEntryId"], str):
        raise bad_request("[accountingEntryId] must be a string")
    _enum(entry["status"], ITEM_STATUSES[:4], "status")
    _enum(entry.get("failureReasonType"), ITEM_FAILURE_TYPES, "failureReasonType")
    for name in ("externalId", "externalUrl", "failureReason", "exportedAt"):
        if entry.get(name) is not None and not isinstance(entry[name], str):
            raise bad_request(f"[{name}] must be a string")


def update_job_items(state, req):
    updates = req.json()
    if not isinstance(updates, list):
        raise bad_request("Request body must be a JSON array", "JSON_MAPPING_EXCEPTION")
    job = state.exports.get(path_uuid(req, "jobId"))
    if len(updates) > UPDATE_LIMIT:
        raise ApiError(
            413,
            "EXPORT_JOB_ITEMS_UPDATE_LIMIT",
            f"Number of items to update is more than {UPDATE_LIMIT}.",
        )
    if job.status in FINAL:
        raise ApiError(
            422, "EXPORT_JOB_STATUS_UNPROCESSABLE", "Export job is finished."
        )
    if job.status == "pending" and state.config.strict:
        raise ApiError(
            422,
            "EXPORT_JOB_STATUS_UNPROCESSABLE",
            "Export job has not been started; send the started event first.",
        )
    for entry in updates:
        _check_update(entry)
    now = state.clock.now()
    data, errors = [], []
    for entry in updates:
        index = job.index_of(entry["accountingEntryId"])
        if index is None:
            errors.append(
                {
                    "accountingEntryId": entry["accountingEntryId"],
                    "message": "Accounting entry does not exist in this export job.",
                    "type": "ACCOUNTING_ENTRY_DOES_NOT_EXIST",
                }
            )
            continue
        report = job.reports.setdefault(index, Report())
        report.status = entry["status"]
        report.updates += 1
        for key, attr in (
            ("externalId", "external_id"),
            ("externalUrl", "external_url"),
            ("failureReason", "failure_reason"),
            ("failureReasonType", "failure_reason_type"),
            ("exportedAt", "exported_at"),
        ):
            if key in entry:
                setattr(report, attr, entry[key])
        if report.status == "successful" and not report.exported_at:
            report.exported_at = iso(now)
        data.append(job.item_json(index))
    job.last_updated_at = now
    return Response(200, {"data": data, "errors": errors})


ROUTES = [
    ("GET", "/v3/export-jobs", list_jobs),
    ("POST", "/v3/export-jobs", create_job),
    ("GET", "/v3/export-jobs/{jobId}", get_job),
    ("GET", "/v3/export-jobs/{jobId}/items", list_job_items),
    ("PUT", "/v3/export-jobs/{jobId}/items", update_job_items),
    ("POST", "/v3/export-job-events", post_event),
    ("GET", "/v3/export-items", list_export_items),
]
