"""PAPI error bodies (``WhatsappPapiErrorDto``): the only error shape the emulator ever sends.

Every failure, including unknown routes, wrong methods and internal errors, leaves the app as
``{"errorCode", "message", "resolution", "additionalInformation"?}`` with the HTTP status Sinch
documents for that code, so clients are tested against what they will really meet (no
framework 422s, no HTML). Messages and resolutions follow Sinch's published examples.

``additionalInformation`` values are lists of strings, as the schema says
(``validationErrors``, ``supportedCodes``); Sinch's own examples sometimes send comma-joined
strings or objects (``metaError``), which is why clients must read the field as free-form JSON.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

_RETRY = (
    "If template is saved as draft, try to submit the template again. If option "
    '"saveDraftOnFailure" is specified as "false", try the request again.'
)

#: errorCode → (HTTP status, message, resolution).
CATALOGUE: dict[str, tuple[int, str, str]] = {
    "invalid_input": (400, "Invalid input.", "Correct the validation errors and submit again."),
    "invalid_payload": (400, "Invalid payload.", "Correct payload and submit again."),
    "project_not_initialized": (
        400,
        "Project not initialized for WhatsApp.",
        "Verify that the project ID is correct and that it has been onboarded for WhatsApp.",
    ),
    "invalid_page_size": (
        400,
        "Page size must be numeric.",
        "Use a integer value for pageSize parameter.",
    ),
    "invalid_page_token": (
        400,
        "Invalid page token.",
        "The page token to use is provided in the previous query response, for new queries "
        "simply leave this field undefined.",
    ),
    "invalid_filter_states": (
        400,
        "Invalid filterStates.",
        "Verify that the filterStates used are supported by the Provisioning API.",
    ),
    "invalid_filter_statuses": (
        400,
        "Invalid filter statuses.",
        "Verify that the filterStatuses used are supported by the Provisioning API.",
    ),
    "invalid_fields": (
        400,
        "Invalid fields.",
        "Verify that the fields used are supported by the Provisioning API.",
    ),
    "template_invalid_language_code": (
        400,
        "Invalid language code.",
        "Verify that the language code used is supported by the Provisioning API and WhatsApp.",
    ),
    "invalid_id_format": (400, "Invalid id format.", "Verify that the id is correct."),
    "unauthorized_error": (401, "Unauthorized error.", "Verify that projectId is correct."),
    "template_not_found": (404, "Template not found.", "Verify that the parameters are correct."),
    "template_changes_not_found": (
        404,
        "Template changes not found.",
        "Verify that the template has pending changes.",
    ),
    "templates_compare_not_found": (
        404,
        "Templates to compare not found.",
        "Verify that the parameters are correct.",
    ),
    "webhook_not_found": (404, "Webhook not found.", "Verify that the parameters are correct."),
    "control_forbidden": (
        403,
        "The emulator's control API refused this client.",
        "Call it from loopback, or start the emulator with a control token and send it in the "
        "x-emulator-control-token header.",
    ),
    "not_found": (404, "Not found.", "Verify the request path."),
    "method_not_allowed": (405, "Method not allowed.", "Verify the request method."),
    "resource_locked": (
        409,
        "Resource is locked.",
        "Another operation for this resource is already in progress. Please wait and try again.",
    ),
    "template_exists": (
        409,
        "Template already exists.",
        "Templates must have unique name and language. Change language or name and submit again.",
    ),
    "template_name_recently_used": (
        409,
        "A template with the same name has been deleted within 30 days.",
        'Use another "name" or wait the required time.',
    ),
    "template_language_recently_deleted": (
        409,
        "A template with the same language has been deleted within 4 weeks.",
        "Try to create the content again in 4 weeks or create a new template.",
    ),
    "template_incorrect_category": (
        409,
        "Template incorrect category.",
        "Use a category that has been used in another language.",
    ),
    "template_restricted_Domain_for_button_url": (
        409,
        "Restricted domain for button url.",
        "Replace any of the following restricted domains: wa.me, whatsapp.com",
    ),
    "template_not_updatable": (
        409,
        "Template is not updatable.",
        "Updates are only supported by templates with state: APPROVED, DISABLED, PAUSED, REJECTED.",
    ),
    "template_changes_not_updatable": (
        409,
        "Template is not updatable.",
        "Updates are only supported by template changes with status: DRAFT, REJECTED.",
    ),
    "template_category_not_updatable": (
        409,
        "Template category is not updatable.",
        "Updates are only supported by template with state: DRAFT or with state: REJECTED and "
        "rejectionCode: INCORRECT_CATEGORY.",
    ),
    "template_allow_category_change_not_updatable": (
        409,
        "Template allowCategoryChange is not updatable.",
        "Updates are only supported by template with state: DRAFT or with state: REJECTED and "
        "rejectionCode: INCORRECT_CATEGORY.",
    ),
    "template_source_not_updatable": (
        409,
        "Template is not updatable.",
        "Templates generated by Meta cannot be updated.",
    ),
    "template_not_deletable_due_to_input_config": (
        409,
        "Template is not deletable due to input config.",
        "Only draft templates will be deleted by name and language code if `deleteSubmitted` is "
        "`false` or not provided. Be aware that templates deleted for a language cannot be "
        "recreated for 30 days with the same template name. If you need the template in this "
        "language soon, update the submitted template for the language instead of trying to "
        "delete and recreate it again.",
    ),
    "templates_not_eligible_for_comparison": (
        409,
        "Templates not eligible for comparison.",
        "Templates must have been sent at least 1,000 times in the specified timeframe.",
    ),
    "templates_compare_not_unique": (
        409,
        "Templates to compare not unique.",
        "Template can't be compared with itself. Provide unique templates for comparison.",
    ),
    "webhook_exists": (
        409,
        "Webhook already exists.",
        "Webhook target must be unique per project. Change the target and submit again.",
    ),
    "template_limit_reached": (
        424,
        "Number of templates has reached the limit.",
        "Delete some templates or reach out to support to increase the template limit. " + _RETRY,
    ),
    "template_submit_error": (424, "Template submit error.", "Please try again later. " + _RETRY),
    "webhook_limit_reached": (
        424,
        "Number of webhooks has reached the limit.",
        "Delete some webhooks before creating a new one (maximum 15 per project).",
    ),
    "whatsapp_business_api_request_limit_exceeded": (
        429,
        "WhatsApp business api request limit reached.",
        "WhatsApp business API request limits reached. Please try again later.",
    ),
    "too_many_requests": (429, "Too many requests.", "Please wait and try again."),
    "internal_error": (
        500,
        "Internal server error.",
        "Please wait and try again, if the error persist please contact support.",
    ),
}


class PapiError(Exception):
    """Raised anywhere in the emulator; the app turns it into the PAPI JSON response."""

    def __init__(
        self,
        code: str,
        *,
        message: str | None = None,
        resolution: str | None = None,
        additional: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        default_status, default_message, default_resolution = CATALOGUE[code]
        self.code = code
        self.status = status or default_status
        self.message = message or default_message
        self.resolution = resolution or default_resolution
        self.additional = additional
        self.headers = headers or {}
        super().__init__(f"{code}: {self.message}")

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "errorCode": self.code,
            "message": self.message,
            "resolution": self.resolution,
        }
        if self.additional:
            out["additionalInformation"] = self.additional
        return out

    def response(self) -> Response:
        return Response(
            json.dumps(self.body()),
            status_code=self.status,
            media_type="application/json",
            headers=self.headers,
        )


def invalid_input(errors: list[str]) -> PapiError:
    return PapiError("invalid_input", additional={"validationErrors": errors})


def supported(code: str, values: list[str] | tuple[str, ...]) -> PapiError:
    """An error listing the accepted values, as Sinch does for enums."""
    return PapiError(code, additional={"supportedCodes": list(values)})
