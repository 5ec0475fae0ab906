"""App JSON: document.py (parse, accessors) · validate.py (schema + lint, the entry point) ·
lint_actions.py, lint_sources.py, lint_triggers.py, lint_mapping.py, lint_templates.py (the rules of
each part) · scope_check.py (cross-checks with the scopes) · calls.py (where requests go) ·
snippet.py (comments, fragments) · diff.py (semantic diff) · outline.py (where findings are shown) ·
auth_form.py (the builder)."""
