"""The plausible data of a sandbox page (a bot): page info, tags, custom and bot fields, flows,
growth tools, one-time-notification topics and subscribers. Each page_id gets its own copy,
stored in the database; the API's writes change it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

CUSTOM_FIELD_TYPES = ("text", "number", "date", "datetime", "boolean")
OUTSIDE_WINDOW_SUBSCRIBER = "1000000004"  # last interaction 3 days ago: sendContent needs a message tag


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def initial_page(page_id: str, now: datetime | None = None) -> dict[str, Any]:
    """A fresh demo page's data (deterministic but for the interaction times)."""
    now = now or datetime.now(UTC)
    people = [
        ("1000000001", "Ada", "Lovelace", "female", "ada@example.com", "+15550100001", True, 1),
        ("1000000002", "Grace", "Hopper", "female", "grace@example.com", None, False, 2),
        ("1000000003", "Alan", "Turing", "male", None, "+15550100003", False, 5),
        (OUTSIDE_WINDOW_SUBSCRIBER, "Edsger", "Dijkstra", "male", "edsger@example.com", None, False, 72 * 60),
        ("1000000005", "Barbara", "Liskov", "female", "barbara@example.com", "+15550100005", True, 30),
    ]
    subscribers = []
    for sid, first, last, gender, email, phone, vip, minutes_ago in people:
        subscribers.append({
            "id": sid, "page_id": page_id, "status": "active", "first_name": first, "last_name": last,
            "name": f"{first} {last}", "gender": gender,
            "profile_pic": f"https://sandbox.invalid/avatars/{sid}.png", "locale": "en_US", "language": "English",
            "timezone": "UTC", "live_chat_url": f"https://sandbox.invalid/fb{page_id}/chat/{sid}",
            "last_input_text": "Where is my order?", "optin_phone": phone is not None, "phone": phone,
            "optin_email": email is not None, "email": email, "whatsapp_phone": None, "optin_whatsapp": False,
            "ig_username": None, "ig_id": None,
            "subscribed": _stamp(now - timedelta(days=40)),
            "last_interaction": _stamp(now - timedelta(minutes=minutes_ago)),
            "last_seen": _stamp(now - timedelta(minutes=minutes_ago)),
            "is_followup_enabled": True,
            "tags": [1] if vip else [], "fields": {"101": "ORD-" + sid[-4:], "102": len(first)},
        })
    return {
        "page": {
            "id": int(page_id) if page_id.isdigit() and len(page_id) < 19 else page_id,
            "name": f"Sandbox page {page_id}", "category": "Shopping & retail",
            "avatar_link": "https://sandbox.invalid/page.png", "username": f"sandbox{page_id}",
            "about": "A ManyChat API sandbox page (local, not ManyChat).", "description": "Demo data for the console.",
            "is_pro": True, "timezone": "UTC",
        },
        "tags": [{"id": 1, "name": "vip"}, {"id": 2, "name": "newsletter"}, {"id": 3, "name": "order-placed"}],
        "custom_fields": [
            {"id": 101, "name": "order_id", "type": "text", "description": "Latest order"},
            {"id": 102, "name": "orders_count", "type": "number", "description": "Orders placed"},
            {"id": 103, "name": "birthday", "type": "date", "description": ""},
            {"id": 104, "name": "wants_sms", "type": "boolean", "description": ""},
        ],
        "bot_fields": [
            {"id": 201, "name": "store_open", "type": "boolean", "description": "Is the store open", "value": True},
            {"id": 202, "name": "promo_code", "type": "text", "description": "", "value": "WELCOME10"},
        ],
        "flows": [
            {"ns": "content20240101000000_000001", "name": "Welcome", "folder_id": 1},
            {"ns": "content20240101000000_000002", "name": "Order status", "folder_id": 1},
            {"ns": "content20240101000000_000003", "name": "Feedback survey", "folder_id": 2},
        ],
        "folders": [{"id": 1, "name": "Orders"}, {"id": 2, "name": "Engagement"}],
        "growth_tools": [
            {"id": 301, "name": "Website widget", "type": "widget"},
            {"id": 302, "name": "Comment autoresponder", "type": "feed_comment"},
            {"id": 303, "name": "m.me link", "type": "ref_url"},
        ],
        "otn_topics": [{"id": 401, "name": "Back in stock"}, {"id": 402, "name": "Order shipped"}],
        "user_refs": {"5001": "1000000001", "5002": None},
        "subscribers": subscribers,
        "sent": [],
        "next_id": 1000,
        "next_subscriber": 1000000100,
    }
