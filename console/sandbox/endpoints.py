"""What each catalog endpoint takes and answers, on a page's data (a plain dict).

``ENDPOINTS`` maps a path to its input schema (query parameters for GET, a JSON Schema body for
POST: the same schema the OpenAPI document publishes and the sandbox validates) and a handler.
A handler changes ``data`` in place and returns the answer; bad input raises ``ApiError`` with
ManyChat's envelope. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from console.sandbox.demo_data import CUSTOM_FIELD_TYPES

MAX_TAGS, MAX_FIELDS, MAX_SUBSCRIBERS, MAX_SENT = 500, 200, 1000, 50
WINDOW = timedelta(hours=24)

Json = dict[str, Any]


class ApiError(Exception):
    """An answer other than success: HTTP status and ManyChat's body."""

    def __init__(self, status: int, body: Json):
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body


def validation_error(*messages: str) -> ApiError:
    return ApiError(400, {"status": "error", "message": "Validation error",
                          "details": {"messages": [{"message": m} for m in messages]}})


def coded_error(code: int, message: str) -> ApiError:
    return ApiError(400, {"status": "error", "message": message, "code": code})


def success(data: Any = None) -> Json:
    return {"status": "success"} if data is None else {"status": "success", "data": data}


# ---------------------------------------------------------------- schemas (OpenAPI 3.0 / JSON Schema)

INT: Json = {"type": "integer", "minimum": 1}
TEXT: Json = {"type": "string", "minLength": 1, "maxLength": 200}
VALUE: Json = {"anyOf": [{"type": "string", "maxLength": 1000}, {"type": "number"}, {"type": "boolean"}]}


def body(required: list[str], **properties: Json) -> Json:
    return {"type": "object", "required": required, "properties": properties}


FIELD_ITEMS: Json = {"type": "array", "minItems": 1, "maxItems": 20, "items": {
    "type": "object", "required": ["field_value"],
    "properties": {"field_id": INT, "field_name": TEXT, "field_value": VALUE}}}
CONTENT: Json = {"type": "object", "description": "dynamic-block content: {version: 'v2', content: {...}}"}
PROFILE: dict[str, Json] = {
    "first_name": TEXT, "last_name": TEXT, "phone": TEXT, "whatsapp_phone": TEXT, "email": TEXT,
    "gender": {"type": "string", "enum": ["male", "female"]}, "has_opt_in_sms": {"type": "boolean"},
    "has_opt_in_email": {"type": "boolean"}, "consent_phrase": TEXT,
}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "integer" | "string"
    required: bool = True


@dataclass(frozen=True)
class Endpoint:
    path: str
    handler: Callable[[Json, Json, datetime], Json]
    params: tuple[Param, ...] = ()  # GET query parameters
    schema: Json | None = None  # POST body
    success_example: Json = field(default_factory=lambda: {"status": "success"})


# ---------------------------------------------------------------- lookups on a page's data


def _subscriber(data: Json, subscriber_id: Any) -> Json:
    for person in data["subscribers"]:
        if person["id"] == str(subscriber_id):
            return person
    raise validation_error(f"subscriber_id: subscriber {subscriber_id} does not exist on this page.")


def _show(data: Json, person: Json) -> Json:
    """A subscriber as the API shows it: tags and custom fields resolved."""
    tags = {t["id"]: t for t in data["tags"]}
    shown = {k: v for k, v in person.items() if k not in ("tags", "fields")}
    shown["tags"] = [tags[t] for t in person["tags"] if t in tags]
    shown["custom_fields"] = [{**f, "value": person["fields"].get(str(f["id"]))} for f in data["custom_fields"]]
    return shown


def _tag(data: Json, *, tag_id: Any = None, name: Any = None) -> Json:
    for tag in data["tags"]:
        if (tag_id is not None and tag["id"] == tag_id) or (name is not None and tag["name"] == name):
            return tag
    what = f"tag_id {tag_id}" if tag_id is not None else f"tag_name {name!r}"
    raise validation_error(f"{what}: no such tag on this page.")


def _field(fields: list[Json], *, field_id: Any = None, name: Any = None, kind: str) -> Json:
    for item in fields:
        if (field_id is not None and item["id"] == field_id) or (name is not None and item["name"] == name):
            return item
    what = f"field_id {field_id}" if field_id is not None else f"field_name {name!r}"
    raise validation_error(f"{what}: no such {kind} field on this page.")


def _check_value(item: Json, value: Any) -> Any:
    kind = item["type"]
    ok = {"text": isinstance(value, str), "number": isinstance(value, int | float) and not isinstance(value, bool),
          "boolean": isinstance(value, bool), "date": isinstance(value, str),
          "datetime": isinstance(value, str)}.get(kind, True)
    if not ok:
        raise validation_error(f"field_value: the field {item['name']!r} is of type {kind}; "
                               f"{type(value).__name__} values do not fit it.")
    return value


def _next_id(data: Json) -> int:
    data["next_id"] = int(data["next_id"]) + 1
    return int(data["next_id"])


def _within_window(person: Json, now: datetime) -> bool:
    try:
        last = datetime.fromisoformat(str(person["last_interaction"]))
    except ValueError:
        return False
    return now - last <= WINDOW


def _record_send(data: Json, kind: str, target: str, now: datetime, detail: str = "") -> None:
    data["sent"] = ([{"kind": kind, "to": target, "detail": detail, "at": now.astimezone(UTC).isoformat()}]
                    + list(data["sent"]))[:MAX_SENT]


# ---------------------------------------------------------------- page


def page_get_info(data: Json, args: Json, now: datetime) -> Json:
    return success(data["page"])


def page_get_tags(data: Json, args: Json, now: datetime) -> Json:
    return success(data["tags"])


def page_create_tag(data: Json, args: Json, now: datetime) -> Json:
    name = args["name"]
    if any(t["name"] == name for t in data["tags"]):
        raise validation_error(f"name: a tag named {name!r} already exists.")
    if len(data["tags"]) >= MAX_TAGS:
        raise validation_error(f"The sandbox page holds at most {MAX_TAGS} tags; remove one first.")
    tag = {"id": _next_id(data), "name": name}
    data["tags"].append(tag)
    return success({"tag": tag})


def _drop_tag(data: Json, tag: Json) -> None:
    data["tags"] = [t for t in data["tags"] if t["id"] != tag["id"]]
    for person in data["subscribers"]:
        person["tags"] = [t for t in person["tags"] if t != tag["id"]]


def page_remove_tag(data: Json, args: Json, now: datetime) -> Json:
    _drop_tag(data, _tag(data, tag_id=args["tag_id"]))
    return success()


def page_remove_tag_by_name(data: Json, args: Json, now: datetime) -> Json:
    _drop_tag(data, _tag(data, name=args["tag_name"]))
    return success()


def page_get_widgets(data: Json, args: Json, now: datetime) -> Json:
    return success(data["growth_tools"])


def page_get_growth_tools(data: Json, args: Json, now: datetime) -> Json:
    return success(data["growth_tools"])


def page_get_flows(data: Json, args: Json, now: datetime) -> Json:
    return success({"flows": data["flows"], "folders": data["folders"]})


def page_get_custom_fields(data: Json, args: Json, now: datetime) -> Json:
    return success(data["custom_fields"])


def page_create_custom_field(data: Json, args: Json, now: datetime) -> Json:
    name = args["caption"]
    if any(f["name"] == name for f in data["custom_fields"]):
        raise validation_error(f"caption: a custom field named {name!r} already exists.")
    if len(data["custom_fields"]) >= MAX_FIELDS:
        raise validation_error(f"The sandbox page holds at most {MAX_FIELDS} custom fields.")
    item = {"id": _next_id(data), "name": name, "type": args["type"], "description": args.get("description", "")}
    data["custom_fields"].append(item)
    return success({"field": item})


def page_get_bot_fields(data: Json, args: Json, now: datetime) -> Json:
    return success(data["bot_fields"])


def page_create_bot_field(data: Json, args: Json, now: datetime) -> Json:
    name = args["name"]
    if any(f["name"] == name for f in data["bot_fields"]):
        raise validation_error(f"name: a bot field named {name!r} already exists.")
    if len(data["bot_fields"]) >= MAX_FIELDS:
        raise validation_error(f"The sandbox page holds at most {MAX_FIELDS} bot fields.")
    item: Json = {"id": _next_id(data), "name": name, "type": args["type"],
                  "description": args.get("description", ""), "value": None}
    if "value" in args:
        item["value"] = _check_value(item, args["value"])
    data["bot_fields"].append(item)
    return success({"field": item})


def page_set_bot_field(data: Json, args: Json, now: datetime) -> Json:
    item = _field(data["bot_fields"], field_id=args["field_id"], kind="bot")
    item["value"] = _check_value(item, args["field_value"])
    return success()


def page_set_bot_field_by_name(data: Json, args: Json, now: datetime) -> Json:
    item = _field(data["bot_fields"], name=args["field_name"], kind="bot")
    item["value"] = _check_value(item, args["field_value"])
    return success()


def _resolve_many(fields: list[Json], items: list[Json], kind: str) -> list[tuple[Json, Any]]:
    resolved = []
    for index, entry in enumerate(items):
        if "field_id" not in entry and "field_name" not in entry:
            raise validation_error(f"fields[{index}]: give field_id or field_name.")
        item = _field(fields, field_id=entry.get("field_id"), name=entry.get("field_name")
                      if "field_id" not in entry else None, kind=kind)
        resolved.append((item, _check_value(item, entry["field_value"])))
    return resolved


def page_set_bot_fields(data: Json, args: Json, now: datetime) -> Json:
    for item, value in _resolve_many(data["bot_fields"], args["fields"], "bot"):
        item["value"] = value
    return success()


def page_get_otn_topics(data: Json, args: Json, now: datetime) -> Json:
    return success(data["otn_topics"])


# ---------------------------------------------------------------- sending


def send_content(data: Json, args: Json, now: datetime) -> Json:
    person = _subscriber(data, args["subscriber_id"])
    if args.get("otn_topic_name") is not None:
        if not any(t["name"] == args["otn_topic_name"] for t in data["otn_topics"]):
            raise coded_error(3021, "The subscriber has no one-time-notification token for this topic.")
    elif not _within_window(person, now) and not args.get("message_tag"):
        raise coded_error(3011, "The 24-hour window is closed for this subscriber: give a message_tag.")
    _record_send(data, "content", person["id"], now)
    return success()


def send_content_by_user_ref(data: Json, args: Json, now: datetime) -> Json:
    ref = str(args["user_ref"])
    if ref not in data["user_refs"]:
        raise validation_error(f"user_ref: {ref} is not registered on this page.")
    _record_send(data, "content_by_user_ref", ref, now)
    return success()


def send_flow(data: Json, args: Json, now: datetime) -> Json:
    person = _subscriber(data, args["subscriber_id"])
    flow = next((f for f in data["flows"] if f["ns"] == args["flow_ns"]), None)
    if flow is None:
        raise validation_error(f"flow_ns: there is no flow {args['flow_ns']!r} on this page.")
    _record_send(data, "flow", person["id"], now, flow["name"])
    return success()


# ---------------------------------------------------------------- subscribers


def subscriber_get_info(data: Json, args: Json, now: datetime) -> Json:
    return success(_show(data, _subscriber(data, args["subscriber_id"])))


def subscriber_find_by_name(data: Json, args: Json, now: datetime) -> Json:
    needle = str(args["name"]).lower()
    found = [_show(data, p) for p in data["subscribers"] if needle in p["name"].lower()]
    return success(found[:100])


def subscriber_get_info_by_user_ref(data: Json, args: Json, now: datetime) -> Json:
    ref = str(args["user_ref"])
    if ref not in data["user_refs"]:
        raise coded_error(2011, "This user_ref is not registered.")
    linked = data["user_refs"][ref]
    if linked is None:
        raise coded_error(2012, "This user_ref is not linked to a subscriber.")
    return success(_show(data, _subscriber(data, linked)))


def subscriber_find_by_custom_field(data: Json, args: Json, now: datetime) -> Json:
    item = _field(data["custom_fields"], field_id=args["field_id"], kind="custom")
    if item["type"] not in ("text", "number"):
        raise validation_error(f"field_id: findByCustomField works only with Text and Number fields; "
                               f"{item['name']!r} is {item['type']}.")
    wanted = str(args["field_value"])
    found = [_show(data, p) for p in data["subscribers"] if str(p["fields"].get(str(item["id"]))) == wanted]
    return success(found[:100])


def subscriber_find_by_system_field(data: Json, args: Json, now: datetime) -> Json:
    email, phone = args.get("email"), args.get("phone")
    if (email is None) == (phone is None):
        raise validation_error("Give exactly one of email or phone.")
    for person in data["subscribers"]:
        if (email is not None and person["email"] == email) or (phone is not None and person["phone"] == phone):
            return success(_show(data, person))
    raise validation_error("No subscriber has this " + ("email." if email is not None else "phone."))


def _set_tag(data: Json, args: Json, tag: Json, present: bool) -> Json:
    person = _subscriber(data, args["subscriber_id"])
    person["tags"] = [t for t in person["tags"] if t != tag["id"]] + ([tag["id"]] if present else [])
    return success()


def subscriber_add_tag(data: Json, args: Json, now: datetime) -> Json:
    return _set_tag(data, args, _tag(data, tag_id=args["tag_id"]), True)


def subscriber_add_tag_by_name(data: Json, args: Json, now: datetime) -> Json:
    return _set_tag(data, args, _tag(data, name=args["tag_name"]), True)


def subscriber_remove_tag(data: Json, args: Json, now: datetime) -> Json:
    return _set_tag(data, args, _tag(data, tag_id=args["tag_id"]), False)


def subscriber_remove_tag_by_name(data: Json, args: Json, now: datetime) -> Json:
    return _set_tag(data, args, _tag(data, name=args["tag_name"]), False)


def subscriber_set_custom_field(data: Json, args: Json, now: datetime) -> Json:
    person = _subscriber(data, args["subscriber_id"])
    item = _field(data["custom_fields"], field_id=args["field_id"], kind="custom")
    person["fields"][str(item["id"])] = _check_value(item, args["field_value"])
    return success()


def subscriber_set_custom_field_by_name(data: Json, args: Json, now: datetime) -> Json:
    person = _subscriber(data, args["subscriber_id"])
    item = _field(data["custom_fields"], name=args["field_name"], kind="custom")
    person["fields"][str(item["id"])] = _check_value(item, args["field_value"])
    return success()


def subscriber_set_custom_fields(data: Json, args: Json, now: datetime) -> Json:
    person = _subscriber(data, args["subscriber_id"])
    for item, value in _resolve_many(data["custom_fields"], args["fields"], "custom"):
        person["fields"][str(item["id"])] = value
    return success()


def subscriber_verify_by_signed_request(data: Json, args: Json, now: datetime) -> Json:
    _subscriber(data, args["subscriber_id"])
    signature, _, payload = str(args["signed_request"]).partition(".")
    if not signature or not payload:
        raise validation_error("signed_request: expected '<signature>.<payload>' as Messenger signs it.")
    return success()


def _apply_profile(data: Json, person: Json, args: Mapping[str, Any]) -> None:
    for name in ("email", "phone", "whatsapp_phone"):
        value = args.get(name)
        if value is not None and any(p[name] == value and p["id"] != person["id"] for p in data["subscribers"]):
            raise validation_error(f"{name}: another subscriber already has {value!r}.")
    for name in ("first_name", "last_name", "gender", "email", "phone", "whatsapp_phone"):
        if name in args:
            person[name] = args[name]
    if "has_opt_in_sms" in args:
        person["optin_phone"] = bool(args["has_opt_in_sms"])
    if "has_opt_in_email" in args:
        person["optin_email"] = bool(args["has_opt_in_email"])
    person["name"] = f"{person.get('first_name') or ''} {person.get('last_name') or ''}".strip()


def subscriber_create(data: Json, args: Json, now: datetime) -> Json:
    if not any(args.get(k) for k in ("phone", "whatsapp_phone", "email")):
        raise validation_error("Give phone, whatsapp_phone or email: a subscriber is created from a contact.")
    if len(data["subscribers"]) >= MAX_SUBSCRIBERS:
        raise validation_error(f"The sandbox page holds at most {MAX_SUBSCRIBERS} subscribers.")
    data["next_subscriber"] = int(data["next_subscriber"]) + 1
    sid = str(data["next_subscriber"])
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    person: Json = {
        "id": sid, "page_id": data["page"]["id"], "status": "active", "first_name": None, "last_name": None,
        "name": "", "gender": None, "profile_pic": None, "locale": None, "language": None, "timezone": None,
        "live_chat_url": None, "last_input_text": None, "optin_phone": False, "phone": None, "optin_email": False,
        "email": None, "whatsapp_phone": None, "optin_whatsapp": False, "ig_username": None, "ig_id": None,
        "subscribed": stamp, "last_interaction": stamp, "last_seen": stamp, "is_followup_enabled": True,
        "tags": [], "fields": {},
    }
    _apply_profile(data, person, args)
    data["subscribers"].append(person)
    return success(_show(data, person))


def subscriber_update(data: Json, args: Json, now: datetime) -> Json:
    person = _subscriber(data, args["subscriber_id"])
    _apply_profile(data, person, args)
    return success(_show(data, person))


# ---------------------------------------------------------------- the table


def _get(path: str, handler: Callable[[Json, Json, datetime], Json], *params: Param) -> Endpoint:
    return Endpoint(path, handler, params=params)


def _post(path: str, handler: Callable[[Json, Json, datetime], Json], schema: Json) -> Endpoint:
    return Endpoint(path, handler, schema=schema)


_SUB = {"subscriber_id": INT}
ENDPOINTS: dict[str, Endpoint] = {e.path: e for e in (
    _get("/fb/page/getInfo", page_get_info),
    _get("/fb/page/getTags", page_get_tags),
    _post("/fb/page/createTag", page_create_tag, body(["name"], name=TEXT)),
    _post("/fb/page/removeTag", page_remove_tag, body(["tag_id"], tag_id=INT)),
    _post("/fb/page/removeTagByName", page_remove_tag_by_name, body(["tag_name"], tag_name=TEXT)),
    _get("/fb/page/getWidgets", page_get_widgets),
    _get("/fb/page/getGrowthTools", page_get_growth_tools),
    _get("/fb/page/getFlows", page_get_flows),
    _get("/fb/page/getCustomFields", page_get_custom_fields),
    _post("/fb/page/createCustomField", page_create_custom_field, body(
        ["caption", "type"], caption=TEXT, type={"type": "string", "enum": list(CUSTOM_FIELD_TYPES)},
        description={"type": "string", "maxLength": 500})),
    _get("/fb/page/getBotFields", page_get_bot_fields),
    _post("/fb/page/createBotField", page_create_bot_field, body(
        ["name", "type"], name=TEXT, type={"type": "string", "enum": list(CUSTOM_FIELD_TYPES)},
        description={"type": "string", "maxLength": 500}, value=VALUE)),
    _post("/fb/page/setBotField", page_set_bot_field, body(["field_id", "field_value"], field_id=INT,
                                                           field_value=VALUE)),
    _post("/fb/page/setBotFieldByName", page_set_bot_field_by_name, body(["field_name", "field_value"],
                                                                         field_name=TEXT, field_value=VALUE)),
    _post("/fb/page/setBotFields", page_set_bot_fields, body(["fields"], fields=FIELD_ITEMS)),
    _get("/fb/page/getOtnTopics", page_get_otn_topics),
    _post("/fb/sending/sendContent", send_content, body(
        ["subscriber_id", "data"], **_SUB, data=CONTENT, message_tag=TEXT, otn_topic_name=TEXT)),
    _post("/fb/sending/sendContentByUserRef", send_content_by_user_ref, body(["user_ref", "data"], user_ref=INT,
                                                                             data=CONTENT)),
    _post("/fb/sending/sendFlow", send_flow, body(["subscriber_id", "flow_ns"], **_SUB, flow_ns=TEXT)),
    _get("/fb/subscriber/getInfo", subscriber_get_info, Param("subscriber_id", "integer")),
    _get("/fb/subscriber/findByName", subscriber_find_by_name, Param("name", "string")),
    _get("/fb/subscriber/getInfoByUserRef", subscriber_get_info_by_user_ref, Param("user_ref", "integer")),
    _get("/fb/subscriber/findByCustomField", subscriber_find_by_custom_field, Param("field_id", "integer"),
         Param("field_value", "string")),
    _get("/fb/subscriber/findBySystemField", subscriber_find_by_system_field, Param("email", "string", False),
         Param("phone", "string", False)),
    _post("/fb/subscriber/addTag", subscriber_add_tag, body(["subscriber_id", "tag_id"], **_SUB, tag_id=INT)),
    _post("/fb/subscriber/addTagByName", subscriber_add_tag_by_name, body(["subscriber_id", "tag_name"], **_SUB,
                                                                          tag_name=TEXT)),
    _post("/fb/subscriber/removeTag", subscriber_remove_tag, body(["subscriber_id", "tag_id"], **_SUB, tag_id=INT)),
    _post("/fb/subscriber/removeTagByName", subscriber_remove_tag_by_name, body(
        ["subscriber_id", "tag_name"], **_SUB, tag_name=TEXT)),
    _post("/fb/subscriber/setCustomField", subscriber_set_custom_field, body(
        ["subscriber_id", "field_id", "field_value"], **_SUB, field_id=INT, field_value=VALUE)),
    _post("/fb/subscriber/setCustomFields", subscriber_set_custom_fields, body(
        ["subscriber_id", "fields"], **_SUB, fields=FIELD_ITEMS)),
    _post("/fb/subscriber/setCustomFieldByName", subscriber_set_custom_field_by_name, body(
        ["subscriber_id", "field_name", "field_value"], **_SUB, field_name=TEXT, field_value=VALUE)),
    _post("/fb/subscriber/verifyBySignedRequest", subscriber_verify_by_signed_request, body(
        ["subscriber_id", "signed_request"], **_SUB, signed_request={"type": "string", "minLength": 1,
                                                                     "maxLength": 4000})),
    _post("/fb/subscriber/createSubscriber", subscriber_create, body([], **PROFILE)),
    _post("/fb/subscriber/updateSubscriber", subscriber_update, body(["subscriber_id"], **_SUB, **PROFILE)),
)}
