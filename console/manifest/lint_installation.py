"""Can the endpoint tell installations apart? Only when the install request carries {{page_id}}."""

from __future__ import annotations

from typing import Any

from console.manifest.document import as_list
from console.manifest.findings import ValidationIssue
from console.templating import names_in, walk_strings

NO_PAGE_ID_CODE = "request.no_page_id"
NO_PAGE_ID_MESSAGE = ("auth.request does not send {{page_id}}, so your endpoint cannot tell installations apart: it "
                      "cannot keep one key per installation, nor replace a page's old key when ManyChat re-keys.")
NO_PAGE_ID_HINT = ('Add "page_id": "{{page_id}}" to auth.request.payload, or a header line '
                   '"x-page-id: {{page_id}}".')


def sends_page_id(request: dict[str, Any]) -> bool:
    carriers = [request.get("url"), *as_list(request.get("headers"))]
    carriers += [text for _, text in walk_strings(request.get("payload"))]
    return any(isinstance(c, str) and "page_id" in names_in(c) for c in carriers)


def lint_page_id(request: dict[str, Any]) -> list[ValidationIssue]:
    """A warning at /auth/request when the install request does not carry {{page_id}}."""
    if sends_page_id(request):
        return []
    return [ValidationIssue("/auth/request", "warning", NO_PAGE_ID_CODE, NO_PAGE_ID_MESSAGE, NO_PAGE_ID_HINT)]
