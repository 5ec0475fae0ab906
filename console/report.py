"""The readiness report as JSON, Markdown and HTML. Keys appear only masked or as fingerprints."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from console import __version__
from console.catalog import describe_for_installer, get_scope
from console.checks.catalog import check_of
from console.manifest.document import auth_of
from console.profile import AppProfile
from console.readiness import GROUPS, STATUS_LABELS, ChecklistItem, is_ready

if TYPE_CHECKING:
    from jinja2 import Template

# Status marks: a word, a colour and an icon (inline SVG in HTML); never emoji, which many systems lack.
STATUS_ICONS = {"pass": "check_circle", "fail": "cancel", "not_run": "schedule", "not_provable": "help",
                "review": "warning"}  # Material icon names (the pages show :material/NAME:)
_SVG_PATHS = {
    "pass": "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm-1 10.4L3.6 8l1.1-1.1L7 9.2l4.3-4.3 1.1 1.1z",
    "fail": "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm3 9.1L10.1 11 8 8.9 5.9 11 5 10.1 7.1 8 5 5.9 5.9 5 8 7.1 10.1 5 "
            "11 5.9 8.9 8z",
    "not_run": "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm0 12.5A5.5 5.5 0 1 1 8 2.5a5.5 5.5 0 0 1 0 11zM8.75 4h-1.5v4.6l3.6 "
               "2.2.8-1.3-2.9-1.7z",
    "not_provable": "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1zm.8 11.2H7.2v-1.6h1.6zm1.7-5.5c-.4.6-1.2 1-1.6 1.5-.2.3-.1.8-.1 "
                    "1.2H7.2c0-.8 0-1.4.5-1.9.5-.5 1.3-.9 1.5-1.4.3-.9-.4-1.6-1.2-1.6-.9 0-1.4.7-1.4 1.4H5c0-1.6 "
                    "1.3-2.9 3-2.9s3 1 3 2.5c0 .4-.2.9-.5 1.2z",
    "review": "M8 1.5 0.8 14h14.4zM8.8 12.3H7.2v-1.5h1.6zm0-2.6H7.2V6h1.6z",
}
STATUS_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "not_run": "#57606a", "not_provable": "#8250df",
                  "review": "#9a6700"}


def report_fingerprint(report: dict[str, Any]) -> str:
    """The report's content without its time: the Checklist page keeps one "Generated" time per content,
    so the Markdown, HTML and JSON downloads of one report carry the same time."""
    import hashlib

    content = {k: v for k, v in report.items() if k != "generated_at"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:16]


def build_report(profile: AppProfile, scopes: Sequence[str], manifest: dict[str, Any],
                 items: Sequence[ChecklistItem], *, target: str, for_listing: bool,
                 generated_at: datetime | None = None, signoffs: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The report as one JSON-ready object (``signoffs``: the reviewers' decisions, newest first)."""
    view = describe_for_installer(scopes)
    return {
        "report": "App Key Console readiness report",
        "console_version": __version__,
        "generated_at": (generated_at or datetime.now(UTC)).isoformat(),
        "for_listing": for_listing,
        "ready": is_ready(items),
        "target": target,
        "app": asdict(profile),
        "scopes": [
            {"path": s.path, "method": s.method, "access": s.access, "installer_text": s.installer_text,
             "needs_attention": s.needs_attention}
            for s in (get_scope(p) for p in scopes) if s is not None
        ],
        "installer_view": {"lines": list(view.lines), "cautions": list(view.cautions)},
        "auth": auth_of(manifest),
        "checklist": [
            {**{k: v for k, v in asdict(item).items() if k != "evidence"},
             "criterion": check_of(item.id).criterion_text,
             "evidence": [{**asdict(e), "at": e.at.isoformat() if e.at else None} for e in item.evidence]}
            for item in items
        ],
        "signoffs": [dict(s) for s in signoffs],
    }


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


_MARKDOWN = """\
# Readiness report: {{ r.app.name | md }}

{{ "**Ready**" if r.ready else "**Not ready**" }}{{ " for an App Store listing" if r.for_listing else "" }} \
(required items: {{ "none failing" if r.ready else "some failing" }}).

| | |
|---|---|
| App ID | {{ r.app.app_id | md }} |
| Version | {{ r.app.version | md }} |
| Kind | {{ r.app.kind | md }} |
| Target checked | {{ r.target | md }} |
| Generated | {{ r.generated_at | md }} |
| Console version | {{ r.console_version | md }} |

## Scopes
{% for s in r.scopes %}- {{ (s.method ~ " " ~ s.path) | md }} ({{ s.access | md }}){{ " (review)" if s.needs_attention else "" }}: \
{{ s.installer_text | md }}
{% else %}- none selected
{% endfor %}
**What installers are told:**
{% for line in r.installer_view.lines %}> {{ line | md }}
{% endfor %}{% for c in r.installer_view.cautions %}> **Caution:** {{ c | md }}
{% endfor %}
## Checklist
{% for group in groups %}{% set rows = r.checklist | selectattr("group", "equalto", group) | list %}{% if rows %}
### {{ group | md }}
| Status | Check ID | Item | Required | Why | Proof |
|---|---|---|---|---|---|
{% for i in rows %}| **{{ labels[i.status] }}** | `{{ i.id }}` | {{ i.title | md }} | \
{{ "yes" if i.required else "no" }} | \
{{ i.why | md }} | {% for e in i.evidence %}{{ e.label | md }}\
{{ (" (" ~ e.at ~ ")") | md if e.at else "" }}{{ "; " if not loop.last }}{% endfor %} |
{% endfor %}{% endif %}{% endfor %}
## Sign-offs
{% for s in r.signoffs %}{% if loop.first %}| By | Decision | When (UTC) | Verdict then | App JSON sha256 | State | Comment |
|---|---|---|---|---|---|---|
{% endif %}| {{ s.by | cell }} | {{ s.decision | replace("_", " ") }} | {{ s.at }} | {{ s.verdict | cell }} | {{ s.app_json_sha256[:12] }} | {{ ("stale: " ~ s.why_stale) if s.stale else "fresh" }} | {{ s.comment | cell }} |
{% else %}- none yet
{% endfor %}
## auth section
{{ fence }}json
{{ auth_json }}
{{ fence }}
"""

_HTML = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Readiness report: {{ r.app.name }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border:1px solid #d0d7de;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}.pass{color:#1a7f37}.fail{color:#cf222e}
.review{color:#9a6700}.badge{display:inline-flex;align-items:center;gap:.3rem;font-weight:600;white-space:nowrap}
.badge svg{width:1em;height:1em;fill:currentColor}.not_run{color:#57606a}.not_provable{color:#8250df}pre{background:#f6f8fa;padding:1rem;overflow:auto}.verdict{font-size:1.3rem;font-weight:600}
</style></head><body>
<h1>Readiness report: {{ r.app.name }}</h1>
<p class="verdict {{ 'pass' if r.ready else 'fail' }}">{{ "Ready" if r.ready else "Not ready" }}\
{{ " for an App Store listing" if r.for_listing else "" }}</p>
<table><tr><th>App ID</th><td>{{ r.app.app_id }}</td></tr><tr><th>Version</th><td>{{ r.app.version }}</td></tr>
<tr><th>Kind</th><td>{{ r.app.kind }}</td></tr><tr><th>Target checked</th><td>{{ r.target }}</td></tr>
<tr><th>Generated</th><td>{{ r.generated_at }}</td></tr><tr><th>Console version</th><td>{{ r.console_version }}</td></tr>
</table>
<h2>Scopes</h2><ul>{% for s in r.scopes %}<li><code>{{ s.method }} {{ s.path }}</code> ({{ s.access }})\
{{ " (review)" if s.needs_attention else "" }}: {{ s.installer_text }}</li>{% else %}<li>none selected</li>{% endfor %}</ul>
<p><strong>What installers are told:</strong></p><blockquote>{% for line in r.installer_view.lines %}<p>{{ line }}</p>\
{% endfor %}{% for c in r.installer_view.cautions %}<p><strong>Caution:</strong> {{ c }}</p>{% endfor %}</blockquote>
<h2>Checklist</h2>
{% for group in groups %}{% set rows = r.checklist | selectattr("group", "equalto", group) | list %}{% if rows %}
<h3>{{ group }}</h3><table><tr><th>Status</th><th>Check ID</th><th>Item</th><th>Required</th><th>Why</th>\
<th>Proof</th></tr>
{% for i in rows %}<tr><td class="{{ i.status }}"><span class="badge"><svg viewBox="0 0 16 16" aria-hidden="true">\
<path d="{{ svg[i.status] }}"/></svg>{{ labels[i.status] }}</span></td><td><code>{{ i.id }}</code></td><td>{{ i.title }}</td>
<td>{{ "yes" if i.required else "no" }}</td><td>{{ i.why }}</td><td>{% for e in i.evidence %}{{ e.label }}\
{{ " (" ~ e.at ~ ")" if e.at else "" }}<br>{% endfor %}</td></tr>
{% endfor %}</table>{% endif %}{% endfor %}
<h2>Sign-offs</h2>{% if r.signoffs %}<table><tr><th>By</th><th>Decision</th><th>When (UTC)</th>\
<th>Verdict then</th><th>App JSON sha256</th><th>State</th><th>Comment</th></tr>
{% for s in r.signoffs %}<tr><td>{{ s.by }}</td><td>{{ s.decision | replace("_", " ") }}</td><td>{{ s.at }}</td>\
<td>{{ s.verdict }}</td><td><code>{{ s.app_json_sha256[:12] }}</code></td>\
<td class="{{ 'fail' if s.stale else 'pass' }}">{{ ("stale: " ~ s.why_stale) if s.stale else "fresh" }}</td>\
<td>{{ s.comment }}</td></tr>
{% endfor %}</table>{% else %}<p>None yet.</p>{% endif %}
<h2>auth section</h2><pre>{{ auth_json }}</pre>
</body></html>
"""


_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])|([:.@&])(?=\S)")
_LEADING = re.compile(r"^([#+\-=>]|\d+(?=[.)]))")


def escape_markdown(value: object) -> str:
    """``value`` as Markdown that shows exactly its text on one line.

    Every character that can start Markdown or HTML syntax (links and images need '[', emphasis,
    code, tags, entities, table pipes, Streamlit's :colour[] and $math$) is backslash-escaped,
    as CommonMark allows for any ASCII punctuation; so are '.', ':', '@' and '&' before a
    non-space (bare autolinks such as www.example.com, entities) and a leading list or heading marker.
    """
    text = str(value).replace("\r", " ").replace("\n", " ")
    text = _SPECIAL.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)
    return _LEADING.sub(lambda m: "\\" + m.group(1) if not m.group(1).isdigit() else m.group(1) + "\\", text)


_REPORT_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])|&(?=#|[A-Za-z0-9]+;)")
_REPORT_LEADING = re.compile(r"^([#+\-=>]|\d+(?=[.)](?:\s|$)))")


def escape_report_markdown(value: object) -> str:
    """``value`` for the Markdown report (CommonMark, as any viewer renders it): only what Markdown
    needs is escaped (emphasis, code, links, tags, table pipes, strikethrough, entities, a leading list
    or heading marker), so "1.0" and "http://127.0.0.1" stay as they are. Streamlit, which also
    renders :colour[] and :icon: shortcodes, uses ``escape_markdown``."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    text = _REPORT_SPECIAL.sub(lambda m: "\\" + (m.group(1) or "&"), text)
    return _REPORT_LEADING.sub(lambda m: "\\" + m.group(1) if not m.group(1).isdigit() else m.group(1) + "\\", text)


def _cell(text: Any) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


@lru_cache(maxsize=4)
def _template(source: str, autoescape: bool) -> Template:
    """Compiled once per process: the Checklist page renders the report on every rerun (Jinja2 is loaded
    here, on the first Markdown or HTML report: the JSON report and ``check`` do without it)."""
    from jinja2 import Environment, select_autoescape

    env = Environment(autoescape=select_autoescape(default=autoescape, default_for_string=autoescape))
    env.filters["md"] = escape_report_markdown
    env.filters["cell"] = _cell
    return env.from_string(source)


def _render(template: str, report: dict[str, Any], autoescape: bool) -> str:
    try:
        auth_json = json.dumps(report["auth"], indent=2, ensure_ascii=False)
    except (RecursionError, ValueError, TypeError):
        auth_json = "(the auth section cannot be shown: it is nested too deeply)"
    longest = max((len(run) for run in re.findall(r"`+", auth_json)), default=0)
    return _template(template, autoescape).render(
        r=report, groups=GROUPS, svg=_SVG_PATHS, labels=STATUS_LABELS,
        auth_json=auth_json, fence="`" * max(3, longest + 1),
    )


def render_markdown(report: dict[str, Any]) -> str:
    return _render(_MARKDOWN, report, autoescape=False)


def render_html(report: dict[str, Any]) -> str:
    return _render(_HTML, report, autoescape=True)
