"""Field encryption with versioned keys and the blind index."""

from __future__ import annotations

import base64

import pytest

from bankcrm.kit.crypto import DecryptionFailed, FieldCipher, aad_for, generate_key, parse_keys

KEY_1 = bytes(range(32))
KEY_2 = bytes(range(32, 64))
INDEX_KEY = bytes(range(64, 96))
AAD = aad_for("customer", "id_number", 42)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _cipher(current: int = 1) -> FieldCipher:
    keys = {1: KEY_1, 2: KEY_2} if current == 2 else {1: KEY_1}
    return FieldCipher(keys, current_version=current, index_key=INDEX_KEY)


# --- keys ---------------------------------------------------------------------------------------------------------


def test_parse_keys_reads_versions_and_keys():
    # given
    spec = f"1:{_b64(KEY_1)}, 2:{_b64(KEY_2)}"
    # when / then
    assert parse_keys(spec) == {1: KEY_1, 2: KEY_2}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no encryption keys given"),
        (" , ", "no encryption keys given"),
        (f"x:{_b64(KEY_1)}", "key entry 1: expected '<version>:<base64 key>'"),
        (f"0:{_b64(KEY_1)}", "key entry 1: expected '<version>:<base64 key>'"),
        (_b64(KEY_1), "key entry 1: expected '<version>:<base64 key>'"),
        (f"1:{_b64(KEY_1)},2:not base64!", r"key entry 2 \(version 2\): the key is not valid base64"),
        (f"1:{_b64(KEY_1)},3:{_b64(b'short')}", r"key entry 2 \(version 3\): the key is 5 bytes, it must be 32"),
        (f"1:{_b64(KEY_1)},1:{_b64(KEY_2)}", "key entry 2: version 1 is given twice"),
    ],
)
def test_parse_keys_names_the_bad_entry(spec: str, message: str):
    with pytest.raises(ValueError, match=message):
        parse_keys(spec)


def test_generate_key_gives_32_random_bytes_in_base64():
    # given / when
    first, second = generate_key(), generate_key()
    # then
    assert len(base64.b64decode(first, validate=True)) == 32
    assert first != second
    assert parse_keys(f"7:{first}") == {7: base64.b64decode(first)}


def test_aad_for():
    assert aad_for("customer", "mobile", 42) == "customer|mobile|42"
    assert aad_for("customer", "mobile", "C-7") == "customer|mobile|C-7"


@pytest.mark.parametrize(
    ("keys", "current", "index_key", "message"),
    [
        ({1: KEY_1}, 2, INDEX_KEY, "current key version 2 is not among the keys"),
        ({1: KEY_1}, 1, b"x" * 31, "the blind index key must be at least 32 bytes"),
        ({1: b"x" * 16}, 1, INDEX_KEY, "key version 1 is 16 bytes, it must be 32"),
        ({0: KEY_1}, 0, INDEX_KEY, "key version 0 must be 1 or more"),
    ],
)
def test_field_cipher_refuses_bad_keys(keys: dict[int, bytes], current: int, index_key: bytes, message: str):
    with pytest.raises(ValueError, match=message):
        FieldCipher(keys, current_version=current, index_key=index_key)


# --- encryption ---------------------------------------------------------------------------------------------------


def test_round_trip():
    # given
    cipher = _cipher()
    # when
    token = cipher.encrypt("11010519491231002X", AAD)
    # then
    assert token.startswith("v1.")
    assert "11010519491231002X" not in token
    assert len(base64.urlsafe_b64decode(token[3:])) == 12 + 18 + 16  # nonce + ciphertext + GCM tag
    assert cipher.decrypt(token, AAD) == "11010519491231002X"


def test_round_trip_of_non_ascii_and_empty_text():
    cipher = _cipher()
    assert cipher.decrypt(cipher.encrypt("北京市东城区", AAD), AAD) == "北京市东城区"
    assert cipher.decrypt(cipher.encrypt("", AAD), AAD) == ""


def test_the_same_value_encrypts_differently_each_time():
    cipher = _cipher()
    assert cipher.encrypt("13812345678", AAD) != cipher.encrypt("13812345678", AAD)


def test_wrong_aad_fails():
    # given a token made for row 42
    cipher = _cipher()
    token = cipher.encrypt("13812345678", AAD)
    # when / then it cannot be moved to row 43
    with pytest.raises(DecryptionFailed, match="does not authenticate"):
        cipher.decrypt(token, aad_for("customer", "id_number", 43))


def test_tampered_token_fails():
    # given
    cipher = _cipher()
    token = cipher.encrypt("13812345678", AAD)
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    raw[20] ^= 0x01  # one bit of the ciphertext
    tampered = "v1." + base64.urlsafe_b64encode(bytes(raw)).decode("ascii")
    # when / then
    with pytest.raises(DecryptionFailed, match="does not authenticate"):
        cipher.decrypt(tampered, AAD)


def test_unknown_version_fails():
    # given a token under key 2 and a cipher that knows only key 1
    token = _cipher(current=2).encrypt("13812345678", AAD)
    # when / then
    with pytest.raises(DecryptionFailed, match="unknown key version 2"):
        _cipher(current=1).decrypt(token, AAD)


@pytest.mark.parametrize(
    "token",
    ["", "v1", "v1.", "1.AAAA", "v0.AAAA", "vx.AAAA", "v1.AAA", "v1.AA AA", "v1.AAAA", "v1.+/+/", "v1.AAAA\n"],
)
def test_malformed_tokens_fail(token: str):
    with pytest.raises(DecryptionFailed, match="malformed token"):
        _cipher().decrypt(token, AAD)


def test_decryption_failed_is_a_value_error():
    assert issubclass(DecryptionFailed, ValueError)


# --- rotation -----------------------------------------------------------------------------------------------------


def test_rotation_from_key_1_to_key_2():
    # given a value encrypted under key 1
    token = _cipher(current=1).encrypt("13812345678", AAD)
    rotating = _cipher(current=2)
    # when
    assert rotating.version_of(token) == 1
    assert rotating.needs_rotation(token)
    fresh = rotating.reencrypt(token, AAD)
    # then
    assert fresh.startswith("v2.")
    assert rotating.version_of(fresh) == 2
    assert not rotating.needs_rotation(fresh)
    assert rotating.decrypt(fresh, AAD) == "13812345678"
    assert rotating.decrypt(token, AAD) == "13812345678"


def test_reencrypt_keeps_the_aad_check():
    token = _cipher(current=1).encrypt("13812345678", AAD)
    with pytest.raises(DecryptionFailed):
        _cipher(current=2).reencrypt(token, aad_for("customer", "mobile", 42))


def test_version_of_a_malformed_token_fails():
    with pytest.raises(DecryptionFailed, match="malformed token"):
        _cipher().version_of("not a token")


# --- blind index --------------------------------------------------------------------------------------------------


def test_blind_index_is_deterministic_hex():
    # given
    first, second = _cipher(), _cipher(current=2)
    # when
    index = first.blind_index("+8613812345678", "customer.mobile")
    # then
    assert len(index) == 64
    assert all(c in "0123456789abcdef" for c in index)
    assert index == first.blind_index("+8613812345678", "customer.mobile")
    assert index == second.blind_index("+8613812345678", "customer.mobile")  # independent of the encryption key


def test_blind_index_separates_purposes_and_values():
    cipher = _cipher()
    mobile = cipher.blind_index("13812345678", "customer.mobile")
    assert mobile != cipher.blind_index("13812345678", "customer.id_number")
    assert mobile != cipher.blind_index("13812345679", "customer.mobile")


def test_blind_index_depends_on_the_index_key():
    other = FieldCipher({1: KEY_1}, current_version=1, index_key=bytes(32))
    assert other.blind_index("x", "p") != _cipher().blind_index("x", "p")


def test_blind_index_refuses_the_separator_in_the_purpose():
    with pytest.raises(ValueError, match="must not contain the unit separator"):
        _cipher().blind_index("b", "a\x1fc")
