"""X-Hub-Signature-256: the recorded vector, tampering, and the 401 / 403 split."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.meta.signature import sign, verify
from bot.errors import SignatureError

VECTOR = Path(__file__).resolve().parent.parent / "payloads" / "whatsapp" / "wa_text_signed_raw_body.json"
SECRET = "1222e786b144d0e85b9f365372d93676"
HEADER = "sha256=e59ad96d19664aaca98610c74e247a094026ef52185ba037a988114f5398eee1"


@pytest.fixture
def body() -> bytes:
    return VECTOR.read_bytes()


def _status(raw: bytes, header: str | None, secret: str = SECRET) -> int:
    with pytest.raises(SignatureError) as caught:
        verify(raw, header, secret)
    return caught.value.status_code


def test_vector_file_is_the_exact_bytes(body):
    assert body.startswith(b'{"object":"whatsapp_business_account"')
    assert not body.endswith(b"\n")


def test_sign_reproduces_the_recorded_header(body):
    assert sign(body, SECRET) == HEADER


def test_recorded_header_is_accepted(body):
    assert verify(body, HEADER, SECRET) is None


def test_uppercase_hex_and_surrounding_spaces_are_accepted(body):
    assert verify(body, "  sha256=" + HEADER[7:].upper() + " ", SECRET) is None


@pytest.mark.parametrize("position", [0, 100, -1])
def test_one_changed_byte_is_rejected(body, position):
    tampered = bytearray(body)
    tampered[position] ^= 0x01
    assert _status(bytes(tampered), HEADER) == 403


def test_one_added_byte_is_rejected(body):
    assert _status(body + b"\n", HEADER) == 403


@pytest.mark.parametrize(
    "header",
    [
        HEADER[:-1] + ("0" if HEADER[-1] != "0" else "1"),   # one hex digit changed
        HEADER[:-2],                                         # truncated
        HEADER + "00",                                       # too long
        "sha1=" + HEADER[7:],                                # other algorithm
        HEADER[7:],                                          # no prefix
        "sha256=",                                           # prefix only
        "sha256=" + "é" * 64,                                # non-ASCII must not raise TypeError
    ],
)
def test_malformed_or_wrong_header_is_403(body, header):
    assert _status(body, header) == 403


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header_is_401(body, header):
    assert _status(body, header) == 401


def test_wrong_secret_is_403(body):
    assert _status(body, HEADER, secret="another-secret") == 403


def test_empty_secret_never_verifies(body):
    assert _status(body, sign(body, ""), secret="") == 403


def test_sign_then_verify_roundtrip_for_arabic_body():
    raw = '{"text":"عايز جزمة سودا مقاس ٤٢"}'.encode()
    header = sign(raw, "s3cret")
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify(raw, header, "s3cret") is None
    assert _status(raw, header, secret="s3cret!") == 403


def test_any_of_several_secrets_may_sign_and_none_else():
    raw = b'{"object":"instagram"}'
    verify(raw, sign(raw, "instagram-app-secret"), ["meta-app-secret", "instagram-app-secret"])
    verify(raw, sign(raw, "meta-app-secret"), ("meta-app-secret", ""))
    with pytest.raises(SignatureError) as refused:
        verify(raw, sign(raw, "someone-else"), ["meta-app-secret", "instagram-app-secret"])
    assert refused.value.status_code == 403
    with pytest.raises(SignatureError):
        verify(raw, sign(raw, ""), ["", ""])
