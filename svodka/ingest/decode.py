"""Bytes to text: UTF-8 first, then legacy Cyrillic encodings detected by
charset-normalizer. Binary data is refused rather than turned into noise."""
from __future__ import annotations


class DecodeError(ValueError):
    pass


# Control characters other than tab, newline, carriage return, form feed:
# many of them in decoded text mean the bytes were not text at all.
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def decode_bytes(data: bytes) -> str:
    if b"\x00" in data[:65536]:
        raise DecodeError("binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_legacy(data)
    if text and sum(ord(c) in _CONTROL for c in text[:65536]) > 0.01 * min(len(text), 65536):
        raise DecodeError("binary file (control characters), not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_legacy(data: bytes) -> str:
    from charset_normalizer import from_bytes
    # Russian news in a legacy encoding is cp1251 or koi8-r (rarely cp866,
    # mac-cyrillic); restricting the candidates keeps short texts from being
    # guessed as some unrelated code page.
    result = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5"]).best()
    if result is None:
        raise DecodeError("undecodable bytes: neither UTF-8 nor a known Cyrillic encoding")
    text = str(result)
    if sum(1 for c in text if "а" <= c.lower() <= "я") < 0.3 * sum(c.isalpha() for c in text):
        raise DecodeError(f"undecodable bytes: best guess {result.encoding} gives no Russian text")
    return text
