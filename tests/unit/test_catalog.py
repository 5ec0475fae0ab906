from console import catalog


def test_catalog_holds_every_reference_endpoint() -> None:
    assert len(catalog.SCOPES) == 34
    assert {s.group for s in catalog.SCOPES} == {"page", "sending", "subscriber"}
    scope = catalog.get_scope("/fb/sending/sendFlow")
    assert scope is not None and scope.method == "POST" and scope.rps == 20 and scope.is_sending
    assert catalog.get_scope("/fb/page/getInfo").access == "read"
    assert catalog.unknown_scopes(["/fb/page/getInfo", "/fb/nope"]) == ["/fb/nope"]


def test_search_and_filters() -> None:
    tags = catalog.search_scopes("tag")
    assert tags and all("tag" in (s.path + s.description).lower() for s in tags)
    reads = catalog.search_scopes("", groups=["subscriber"], access=["read"])
    assert reads and all(s.group == "subscriber" and s.method == "GET" for s in reads)
    assert catalog.search_scopes("no such thing") == []


def test_installer_view_in_plain_words_with_cautions() -> None:
    reads = catalog.describe_for_installer(["/fb/page/getInfo", "/fb/page/getTags"])
    assert reads.lines == ("Page (bot) settings: read your bot's name and settings; see your tags.",)
    assert reads.cautions == ()
    risky = catalog.describe_for_installer(
        ["/fb/sending/sendContent", "/fb/subscriber/createSubscriber", "/fb/page/createTag"])
    text = " ".join(risky.cautions)
    assert "SEND MESSAGES" in text and "CREATE SUBSCRIBERS" in text and "CHANGE data" in text


def test_rescope_consequence_depends_on_kind() -> None:
    assert "republish" in catalog.rescope_consequence("public")
    assert "NEW App Key" in catalog.rescope_consequence("public")
    assert "immediately" in catalog.rescope_consequence("dev")


def test_sort_paths_keeps_catalog_order_and_drops_unknown() -> None:
    assert catalog.sort_paths(["/fb/sending/sendFlow", "/x", "/fb/page/getInfo", "/fb/page/getInfo"]) == [
        "/fb/page/getInfo", "/fb/sending/sendFlow"]
