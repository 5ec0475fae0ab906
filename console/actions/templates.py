"""Starter actions for a new app: a blank one, a call to your API with a form value, a Public API tag."""

from __future__ import annotations

import copy
from typing import Any

TAG_SCOPE = "/fb/subscriber/addTagByName"

_TEMPLATES: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "blank": ({"name": "new_action", "title": "New action", "description": "What this action does.",
               "forms": [], "requests": [{"url": "https://example.com/manychat/action", "method": "POST",
                                          "headers": ["Content-Type: application/json"], "mapping": [],
                                          "payload": {}}]}, ()),
    "call_api": ({
        "name": "look_up_order", "title": "Look up an order",
        "description": "Sends the order number to your API and maps the order's status.",
        "guidance": "Put the order number the subscriber typed in Order number.",
        "forms": [{"name": "order_number", "type": "string", "title": "Order number"}],
        "requests": [{"url": "https://example.com/manychat/orders/[[order_number]]", "method": "GET",
                      "headers": ["Accept: application/json"],
                      "mapping": [{"name": "order_status", "path": "$.status", "type": "string",
                                   "title": "Order status"}],
                      "payload": None}]}, ()),
    "tag_subscriber": ({
        "name": "tag_subscriber", "title": "Tag the subscriber",
        "description": "Adds a tag to the subscriber through ManyChat's Public API with the App Key.",
        "forms": [{"name": "subscriber_id", "type": "number", "title": "Subscriber ID"},
                  {"name": "tag_name", "type": "string", "title": "Tag", "default": "customer"}],
        "requests": [{"url": "https://api.manychat.com/fb/subscriber/addTagByName", "method": "POST",
                      "headers": ["Content-Type: application/json", "Authorization: Bearer {{app_token}}"],
                      "mapping": [{"name": "result", "path": "$.status", "type": "string", "title": "Result"}],
                      "payload": {"subscriber_id": "[[subscriber_id]]", "tag_name": "[[tag_name]]"}}]},
        (TAG_SCOPE,)),
}
TEMPLATES = tuple(_TEMPLATES)
TEMPLATE_LABELS = {"blank": "Blank action", "call_api": "Call my API with a form value",
                   "tag_subscriber": "Tag a subscriber (Public API; adds the scope)"}


def starter_action(template: str, taken: set[str]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A fresh copy of the template, renamed when its name is taken; the scopes it needs."""
    action, scopes = _TEMPLATES[template]
    action = copy.deepcopy(action)
    base, number = action["name"], 2
    while action["name"] in taken:
        action["name"] = f"{base}_{number}"
        number += 1
    return action, scopes
