from console import keys


def test_keys_are_strong_random_and_masked() -> None:
    first, second = keys.generate_app_key(), keys.generate_app_key()
    assert first != second and len(first) == 64 and set(first) <= set("0123456789abcdef")
    assert len({keys.generate_app_key() for _ in range(200)}) == 200
    masked = keys.mask_key(first)
    assert first[4:-4] not in masked and masked.startswith(first[:4]) and masked.endswith(first[-4:])


def test_fingerprint_is_stable_and_one_way() -> None:
    key = keys.generate_app_key()
    assert keys.fingerprint(key) == keys.fingerprint(key)
    assert keys.fingerprint(key) != keys.fingerprint(keys.generate_app_key())
    assert key not in keys.fingerprint(key)


def test_redact_replaces_every_occurrence() -> None:
    key = keys.generate_app_key()
    text = keys.redact(f'{{"a": "{key}", "b": "Bearer {key}"}}', key)
    assert key not in text and text.count(keys.mask_key(key)) == 2
