"""Pleo's Export API v3 enumerations, as its OpenAPI file lists them.

Kept once here: the addon's selection fields and the sandbox's validation use
the same lists.
"""

JOB_STATUSES = (
    "pending",
    "in_progress",
    "failed",
    "completed",
    "completed_with_errors",
)
EVENTS = ("started", "failed", "completed", "completed_with_errors")
JOB_FAILURE_TYPES = (
    "invalid_configuration",
    "missing_configuration",
    "authentication_failure",
    "accounting_system_authentication_failure",
    "pleo_rate_limit",
    "accounting_system_rate_limit",
    "service_unreachable",
    "accounting_system_unreachable",
    "validation_failure",
    "authorization_failure",
    "integration_unusable",
    "job_expired",
    "service_timeout",
    "accounting_system_timeout",
    "canceled_by_user",
)
ITEM_FAILURE_TYPES = (
    "receipt_upload_failure",
    "receipt_download_failure",
    "receipt_file_size_limit_exceeded",
    "receipt_conversion_failure",
    "unexpected_failure",
    "invalid_configuration",
    "missing_configuration",
    "accounting_system_authentication_failure",
    "accounting_system_rate_limit",
    "accounting_system_unreachable",
    "validation_failure",
    "accounting_system_validation_failure",
    "authorization_failure",
    "accounting_system_timeout",
    "vendor_unknown",
    "account_unknown",
    "tax_code_unknown",
    "tag_unknown",
)
