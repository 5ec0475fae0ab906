import pytest

from console.templating import UnknownNameError, names_in, render_text, render_value, walk_strings


def test_both_spellings_render() -> None:
    values = {"app_token": "K", "workspace": "acme"}
    assert render_text("{{app_token}}/[[workspace]]/{{ workspace }}", values) == "K/acme/acme"
    assert names_in("a {{x}} b [[y]]") == ["x", "y"]


def test_unknown_names_are_named() -> None:
    with pytest.raises(UnknownNameError) as info:
        render_text("{{app_token}} [[nope]] {{other}}", {"app_token": "K"})
    assert info.value.names == ["nope", "other"]


def test_render_value_walks_json_and_pointers_escape() -> None:
    rendered = render_value({"a": ["{{x}}", 1, None], "{{x}}": True}, {"x": "v"})
    assert rendered == {"a": ["v", 1, None], "v": True}
    pointers = dict(walk_strings({"a/b": {"c~d": "{{x}}"}}))
    assert pointers["/a~1b/c~0d"] == "{{x}}"
