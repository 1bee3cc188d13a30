#!/usr/bin/python3
"""Check tests/unit/esp_vectors.h against an independent implementation.

The vectors in esp_vectors.h are copied by hand from RFC and draft texts.
This script parses the header (byte arrays, esp_vectors[], aead_vectors[])
and re-derives every ESP packet and AEAD output with the Python
`cryptography` package, so a transcription typo shows up as a failure.
It never supplies expected values itself: it only compares the header
against itself through the cipher.

Run: /usr/bin/python3 tests/unit/esp_vectors_selfcheck.py [path/to/esp_vectors.h]
Exit status 0 when every vector checks, 1 otherwise.
"""
import os
import re
import sys

try:
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import (AESGCM,
                                                             ChaCha20Poly1305)
except ImportError:
    print("esp_vectors_selfcheck: python3 'cryptography' is missing; skipped")
    sys.exit(77)


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def parse_bytes(body):
    vals = re.findall(r"0x([0-9a-fA-F]{2})", body)
    return bytes(int(v, 16) for v in vals)


def parse_arrays(text):
    arrays = {}
    for m in re.finditer(r"static const uint8_t (\w+)\[\] = \{(.*?)\};",
                         text, re.S):
        arrays[m.group(1)] = parse_bytes(m.group(2))
    return arrays


def split_fields(entry):
    """Split '.a = x, .b = { ... }, .c = "s" "t",' into a dict of raw text."""
    fields = {}
    for m in re.finditer(r"\.(\w+)\s*=\s*((?:\{[^}]*\})|(?:(?:\s*\"(?:[^\"\\]|\\.)*\")+)|[^,]+),",
                         entry, re.S):
        fields[m.group(1)] = m.group(2).strip()
    return fields


def parse_struct_array(text, name):
    m = re.search(r"static const struct \w+ %s\[\] = \{(.*?)\n\};" % name,
                  text, re.S)
    if m is None:
        return []
    body = m.group(1)
    entries = re.findall(r"\n\t\{(.*?)\n\t\},", body, re.S)
    return [split_fields(e) for e in entries]


def cstring(raw):
    if raw == "NULL":
        return None
    parts = re.findall(r"\"((?:[^\"\\]|\\.)*)\"", raw)
    return "".join(parts).replace('\\"', '"').replace("\\\\", "\\")


def cint(raw):
    return int(raw.rstrip("ULul"), 0)


class Failure(Exception):
    pass


def ipv4_ok(b):
    """True if b is one IPv4 packet: header checksum and total length."""
    if len(b) < 20 or b[0] >> 4 != 4:
        return False
    ihl = (b[0] & 0x0f) * 4
    total = 0
    for i in range(0, ihl, 2):
        total += (b[i] << 8) | b[i + 1]
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return total == 0xffff and int.from_bytes(b[2:4], "big") == len(b)


def expect(cond, what):
    if not cond:
        raise Failure(what)


def check_esp(v, arrays):
    """Return a short description of what was checked, or raise Failure."""
    enc = cstring(v["enc_alg"])
    auth = cstring(v["auth_alg"])
    key = parse_bytes(v["enc_key"])[:cint(v["enc_key_len"])]
    akey = parse_bytes(v["auth_key"])[:cint(v["auth_key_len"])]
    iv = parse_bytes(v["iv"])[:cint(v["iv_len"])]
    spi = cint(v["spi"])
    seq = cint(v["seq"])
    esn = v["esn"] == "true"
    plain = arrays[v["plain"]]
    expect(len(plain) == cint(v["plain_len"]), "plain_len != sizeof plain")
    pkt = arrays[v["esp"]]
    expect(len(pkt) == cint(v["esp_len"]), "esp_len != sizeof esp")
    off = cint(v["esp_off"])
    esp = pkt[off:]
    note = cstring(v["note"])

    expect(len(key) == cint(v["enc_key_len"]), "enc_key shorter than its len")
    if off:
        expect(ipv4_ok(pkt[:off] + esp), "outer IPv4 header checksum/length")
    if "trailer included" not in note and plain[:1] == b"\x45":
        expect(ipv4_ok(plain), "plain IPv4 header checksum/length")
    hdr = spi.to_bytes(4, "big") + (seq & 0xffffffff).to_bytes(4, "big")
    expect(esp[:8] == hdr, "ESP header != spi || low 32 bits of seq")
    expect(esp[8:8 + len(iv)] == iv, "ESP IV != iv")
    seqbytes = seq.to_bytes(8, "big") if esn else seq.to_bytes(4, "big")
    if not esn:
        expect(seq <= 0xffffffff, "non-ESN seq over 32 bits")
    aad = spi.to_bytes(4, "big") + seqbytes
    body = esp[8 + len(iv):]

    if enc in ("aes-gcm-16", "chacha20-poly1305"):
        expect(auth is None, "AEAD with an auth_alg")
        salt, k = key[-4:], key[:-4]
        nonce = salt + iv
        a = AESGCM(k) if enc == "aes-gcm-16" else ChaCha20Poly1305(k)
        out = a.decrypt(nonce, body, aad)    # raises InvalidTag on a typo
        trailer_plain = "trailer included" in note
        if trailer_plain:
            expect(out == plain, "decrypted ESP payload != plain")
        else:
            padlen = out[-2]
            expect(out[:-2 - padlen] == plain,
                   "decrypted payload (trailer removed) != plain")
        return "%s decrypt+tag ok" % enc
    if enc == "aes-gmac":
        salt, k = key[-4:], key[:-4]
        nonce = salt + iv
        payload, tag = body[:-16], body[-16:]
        AESGCM(k).decrypt(nonce, tag, aad + iv + payload)
        expect(payload == plain, "GMAC payload != plain")
        return "aes-gmac tag ok"
    if enc == "aes-cbc":
        icvlen = {"hmac-sha1": 12, "null-auth": 0, None: 0}[auth]
        ct = body[:len(body) - icvlen]
        if icvlen:
            mac = hmac.HMAC(akey, hashes.SHA1())
            mac.update(esp[:len(esp) - icvlen] +
                       (seq >> 32).to_bytes(4, "big") if esn else
                       esp[:len(esp) - icvlen])
            expect(mac.finalize()[:icvlen] == body[-icvlen:], "ICV mismatch")
        d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out = d.update(ct) + d.finalize()
        padlen = out[-2]
        expect(out[-2 - padlen:-2] == bytes(range(1, padlen + 1)),
               "padding is not 1, 2, 3, ...")
        inner = out[:-2 - padlen]
        if "trailer included" in note:
            expect(out == plain, "decrypted payload != plain")
        elif cint(v["mode"]) == 1 and off:
            # Transport with the IP packet shown: plain is the whole
            # original packet, its header stays outside ESP.
            ihl = (plain[0] & 0x0f) * 4
            expect(plain[0] >> 4 == 4 and off == ihl,
                   "esp_off != IPv4 header length of plain")
            expect(inner == plain[ihl:], "decrypted != plain after its header")
            expect(pkt[9] == 50, "outer protocol is not ESP")
        else:
            expect(inner == plain, "decrypted payload != plain")
        return "aes-cbc decrypt%s ok" % (" + " + auth if icvlen else "")
    raise Failure("no check for enc_alg %r" % enc)


def check_aead(v, arrays):
    alg = cstring(v["alg"])
    get = lambda f: arrays[v[f]][:cint(v[f + "_len"])]
    key, nonce, aad = get("key"), get("nonce"), get("aad")
    plain, ct, tag = get("plain"), get("ct"), get("tag")
    for f in ("key", "nonce", "aad", "plain", "ct", "tag"):
        expect(len(arrays[v[f]]) >= cint(v[f + "_len"]), f + " array short")
    a = AESGCM(key) if alg == "aes-gcm-16" else ChaCha20Poly1305(key)
    expect(a.encrypt(nonce, plain, aad) == ct + tag, "ct||tag mismatch")
    return "%s encrypt ok" % alg


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here,
                                                               "esp_vectors.h")
    text = strip_comments(open(path).read())
    arrays = parse_arrays(text)
    bad = 0
    for kind, fn in (("esp_vectors", check_esp), ("aead_vectors", check_aead)):
        for v in parse_struct_array(text, kind):
            name = cstring(v["name"])
            try:
                what = fn(v, arrays)
                print("ok   %s: %s" % (name, what))
            except Exception as e:   # InvalidTag, Failure, KeyError
                bad += 1
                print("FAIL %s: %s %s" % (name, type(e).__name__, e))
    print("%d failure(s)" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
