"""The readiness report as JSON, Markdown and HTML. Keys appear only masked or as fingerprints."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, Template, select_autoescape

from console import __version__
from console.catalog import describe_for_installer, get_scope
from console.checks.catalog import check_of
from console.manifest.document import auth_of
from console.profile import AppProfile
from console.readiness import GROUPS, STATUS_LABELS, ChecklistItem, is_ready

STATUS_ICONS = {"pass": "✅", "fail": "❌", "not_run": "⏳", "not_provable": "❔", "review": "⚠️"}


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
{% for s in r.scopes %}- {{ (s.method ~ " " ~ s.path) | md }} ({{ s.access | md }}){{ " ⚠️" if s.needs_attention else "" }}: \
{{ s.installer_text | md }}
{% else %}- none selected
{% endfor %}
**What installers are told:**
{% for line in r.installer_view.lines %}> {{ line | md }}
{% endfor %}{% for c in r.installer_view.cautions %}> ⚠️ {{ c | md }}
{% endfor %}
## Checklist
{% for group in groups %}{% set rows = r.checklist | selectattr("group", "equalto", group) | list %}{% if rows %}
### {{ group | md }}
| Status | Check ID | Item | Required | Why | Proof |
|---|---|---|---|---|---|
{% for i in rows %}| {{ icons[i.status] }} {{ labels[i.status] }} | `{{ i.id }}` | {{ i.title | md }} | \
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
.review{color:#9a6700}pre{background:#f6f8fa;padding:1rem;overflow:auto}.verdict{font-size:1.3rem;font-weight:600}
</style></head><body>
<h1>Readiness report: {{ r.app.name }}</h1>
<p class="verdict {{ 'pass' if r.ready else 'fail' }}">{{ "Ready" if r.ready else "Not ready" }}\
{{ " for an App Store listing" if r.for_listing else "" }}</p>
<table><tr><th>App ID</th><td>{{ r.app.app_id }}</td></tr><tr><th>Version</th><td>{{ r.app.version }}</td></tr>
<tr><th>Kind</th><td>{{ r.app.kind }}</td></tr><tr><th>Target checked</th><td>{{ r.target }}</td></tr>
<tr><th>Generated</th><td>{{ r.generated_at }}</td></tr><tr><th>Console version</th><td>{{ r.console_version }}</td></tr>
</table>
<h2>Scopes</h2><ul>{% for s in r.scopes %}<li><code>{{ s.method }} {{ s.path }}</code> ({{ s.access }})\
{{ " ⚠️" if s.needs_attention else "" }}: {{ s.installer_text }}</li>{% else %}<li>none selected</li>{% endfor %}</ul>
<p><strong>What installers are told:</strong></p><blockquote>{% for line in r.installer_view.lines %}<p>{{ line }}</p>\
{% endfor %}{% for c in r.installer_view.cautions %}<p>⚠️ {{ c }}</p>{% endfor %}</blockquote>
<h2>Checklist</h2>
{% for group in groups %}{% set rows = r.checklist | selectattr("group", "equalto", group) | list %}{% if rows %}
<h3>{{ group }}</h3><table><tr><th>Status</th><th>Check ID</th><th>Item</th><th>Required</th><th>Why</th>\
<th>Proof</th></tr>
{% for i in rows %}<tr><td class="{{ i.status }}">{{ icons[i.status] }} {{ labels[i.status] }}</td>\
<td><code>{{ i.id }}</code></td><td>{{ i.title }}</td>
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


def _cell(text: Any) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


@lru_cache(maxsize=4)
def _template(source: str, autoescape: bool) -> Template:
    """Compiled once per process: the Checklist page renders the report on every rerun."""
    env = Environment(autoescape=select_autoescape(default=autoescape, default_for_string=autoescape))
    env.filters["md"] = escape_markdown
    env.filters["cell"] = _cell
    return env.from_string(source)


def _render(template: str, report: dict[str, Any], autoescape: bool) -> str:
    try:
        auth_json = json.dumps(report["auth"], indent=2, ensure_ascii=False)
    except (RecursionError, ValueError, TypeError):
        auth_json = "(the auth section cannot be shown: it is nested too deeply)"
    longest = max((len(run) for run in re.findall(r"`+", auth_json)), default=0)
    return _template(template, autoescape).render(
        r=report, groups=GROUPS, icons=STATUS_ICONS, labels=STATUS_LABELS,
        auth_json=auth_json, fence="`" * max(3, longest + 1),
    )


def render_markdown(report: dict[str, Any]) -> str:
    return _render(_MARKDOWN, report, autoescape=False)


def render_html(report: dict[str, Any]) -> str:
    return _render(_HTML, report, autoescape=True)
