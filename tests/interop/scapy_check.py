#!/usr/bin/python3
"""Check ipsecd's ESP and AH against scapy's independent implementation.

For every ESP algorithm pair and every AH integrity algorithm, in
transport mode (IPv4, IPv6 with a Hop-by-Hop header) and tunnel mode (4in4,
6in6, 4in6, 6in4), with and without ESN, and several payload sizes:
  1. scapy protects, ipsecd's esptool unprotects: the original comes back;
  2. esptool protects with the same IV and sequence number: the bytes equal
     scapy's byte for byte (same padding, outer header and ICV), and scapy
     unprotects it.
esptool runs the daemon's bundle code (bundle_output / bundle_input).
AES-GMAC (RFC 4543), which scapy lacks, is built here from the Python
cryptography package's AES-GCM with an empty plaintext (a few lines that
follow the RFC), and checked the same two ways.
Usage: scapy_check.py PATH/TO/esptool.  Exit 77 (skip) without scapy.
"""
import hmac
import struct
import subprocess
import sys

try:
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop
    from scapy.layers.ipsec import AH, ESP, SecurityAssociation
    from scapy.packet import Raw
except ImportError:
    print("scapy_check: python3-scapy not installed, skipping")
    sys.exit(77)

try:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError:  # scapy runs without it; only the GMAC cases need it
    AESGCM = None

ESPTOOL = sys.argv[1]
SPI = 0x1a2b3c4d
KEY = bytes(range(0x10, 0x10 + 36))
AKEY = bytes(range(0x80, 0x80 + 64))
CBC_IV = bytes(range(0xa0, 0xb0))

# ESP: (scapy crypt[/ICV size], ours, key len incl. salt, scapy auth, ours,
#       auth key len)
ESP_CASES = [
    ("AES-GCM", "aes-gcm-16", 20, "NULL", "none", 0),
    ("AES-GCM", "aes-gcm-16", 28, "NULL", "none", 0),
    ("AES-GCM", "aes-gcm-16", 36, "NULL", "none", 0),
    ("AES-GCM/8", "aes-gcm-8", 28, "NULL", "none", 0),
    ("AES-GCM/12", "aes-gcm-12", 20, "NULL", "none", 0),
    ("CHACHA20-POLY1305", "chacha20-poly1305", 36, "NULL", "none", 0),
    ("AES-CBC", "aes-cbc", 16, "HMAC-SHA1-96", "hmac-sha1", 20),
    ("AES-CBC", "aes-cbc", 32, "SHA2-256-128", "hmac-sha256", 32),
    ("AES-CBC", "aes-cbc", 24, "SHA2-384-192", "hmac-sha384", 48),
    ("AES-CBC", "aes-cbc", 16, "SHA2-512-256", "hmac-sha512", 64),
    ("AES-CTR", "aes-ctr", 20, "SHA2-256-128", "hmac-sha256", 32),
    ("AES-CTR", "aes-ctr", 36, "HMAC-SHA1-96", "hmac-sha1", 20),
    ("NULL", "null", 0, "HMAC-SHA1-96", "hmac-sha1", 20),
    ("NULL", "null", 0, "SHA2-512-256", "hmac-sha512", 64),
    ("GMAC", "aes-gmac", 20, "NULL", "none", 0),
    ("GMAC", "aes-gmac", 36, "NULL", "none", 0),
]

# AH: (scapy auth, ours, key len)
AH_CASES = [
    ("HMAC-SHA1-96", "hmac-sha1", 20),
    ("SHA2-256-128", "hmac-sha256", 32),
    ("SHA2-384-192", "hmac-sha384", 48),
    ("SHA2-512-256", "hmac-sha512", 64),
]

DIGESTS = {"HMAC-SHA1-96": ("sha1", 12), "SHA2-256-128": ("sha256", 16),
           "SHA2-384-192": ("sha384", 24), "SHA2-512-256": ("sha512", 32)}

V4 = ("192.0.2.1", "192.0.2.2")
V6 = ("2001:db8::1", "2001:db8::2")
T4 = ("198.51.100.1", "198.51.100.2")
T6 = ("2001:db8:ffff::1", "2001:db8:ffff::2")


def inner(fam, size, hbh):
    data = bytes((i * 7 + 3) & 0xff for i in range(size))
    if fam == 4:
        return IP(src=V4[0], dst=V4[1], tos=0x2e) / UDP(sport=1, dport=2) \
            / Raw(data)
    p = IPv6(src=V6[0], dst=V6[1], tc=0x2e)
    if hbh:
        p = p / IPv6ExtHdrHopByHop()
    return p / UDP(sport=1, dport=2) / Raw(data)


def tunnel_header(outer, inner_fam, inner_len):
    """The outer header tunnel.c builds with the default knobs: TTL 64,
    IPv4 ID 1 (esptool's), DSCP copied from the inner (0x2e -> 0x2c), ECN
    Not-ECT (RFC 6040 compatibility mode), DF copied (an IPv6 inner counts
    as DF unless it is at most 1280 bytes, RFC 4213 section 3.2), flow
    label 0."""
    if outer == 4:
        return IP(src=T4[0], dst=T4[1], id=1, ttl=64, tos=0x2c,
                  flags="DF" if inner_fam == 6 and inner_len > 1280 else 0)
    return IPv6(src=T6[0], dst=T6[1], tc=0x2c, hlim=64, fl=0)


def layouts():
    """(label, mode, outer family or None, inner family, sizes)."""
    yield "transport v4", "transport", None, 4, (0, 1, 61, 1400)
    yield "transport v6hbh", "transport", None, 6, (0, 1, 61, 1400)
    for o, i in ((4, 4), (6, 6), (6, 4), (4, 6)):
        yield "tunnel %din%d" % (i, o), "tunnel", o, i, (1, 61, 1400)


def esptool(*args):
    r = subprocess.run([ESPTOOL] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return bytes.fromhex(r.stdout.strip()), None


def resign_esp(pkt, akey, auth, hi):
    """Recompute an ESP ICV with the ESN high bits appended.

    scapy 2.5.0's ESP sign() leaves them out, contrary to RFC 4303 section
    2.2.1 (3.3.2.1: "the high-order 32 bits ... are included in the ICV
    computation"), so for ESN with an HMAC this independent few-line
    rendering of that rule replaces scapy's ICV."""
    digest, icv_len = DIGESTS[auth]
    raw = bytes(pkt)
    body = raw[:-icv_len]
    esp_off = len(raw) - len(bytes(pkt[ESP]))
    icv = hmac.new(akey, body[esp_off:] + struct.pack("!L", hi),
                   digest).digest()[:icv_len]
    return body + icv


def truncate_tag(raw, cls, icv_len):
    """GCM with a t-byte ICV sends the first t bytes of the full tag (NIST
    SP 800-38D section 5.2.1.2; RFC 4106 section 6).  scapy 2.5.0 ignores
    crypt_icv_size when encrypting, so cut its 16-byte tag here."""
    p = cls(raw[:len(raw) - 16 + icv_len])
    if cls is IP:
        p.len = None
        p.chksum = None
    else:
        p.plen = None
    return bytes(cls(bytes(p)))


def gmac_seal(pkt, th, key, seq_full, esn, iv):
    """RFC 4543 ESP: scapy's NULL-encryption framing (padding to 4 bytes,
    no IV; tunnel header th or None), then the 8-byte IV inserted after
    the sequence number and a 16-byte GMAC tag over SPI | seq (ESN: SPI |
    seq hi | seq lo) | IV | plaintext with trailer (section 3.3), with the
    nonce salt | IV (section 3.1)."""
    sa = SecurityAssociation(ESP, spi=SPI, crypt_algo="NULL",
                             auth_algo="NULL", tunnel_header=th)
    sealed = sa.encrypt(pkt, seq_num=seq_full & 0xffffffff)
    raw = bytes(sealed)
    esp_off = len(raw) - len(bytes(sealed[ESP]))
    head, esp = raw[:esp_off], raw[esp_off:]
    body = esp[8:]
    if esn:
        aad = struct.pack("!LLL", SPI, seq_full >> 32, seq_full & 0xffffffff)
    else:
        aad = esp[:8]
    tag = AESGCM(key[:-4]).encrypt(key[-4:] + iv, b"", aad + iv + body)
    out = bytearray(head + esp[:8] + iv + body + tag)
    if out[0] >> 4 == 4:
        struct.pack_into("!H", out, 2, len(out))
        struct.pack_into("!H", out, 10, 0)
        struct.pack_into("!H", out, 10, ip_checksum(bytes(out[:20])))
    else:
        struct.pack_into("!H", out, 4, len(out) - 40)
    return bytes(out)


def ip_checksum(hdr):
    """RFC 1071 over an IPv4 header whose checksum field is zero."""
    total = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def scapy_seal(proto, case, mode, outer, pkt, seq_full, esn, iv):
    """scapy's protected packet (bytes), its SA, and whether scapy can
    verify our output itself."""
    cls = IP if pkt.haslayer(IP) and not pkt.haslayer(IPv6) else IPv6
    th = tunnel_header(outer, 4 if cls is IP else 6, len(bytes(pkt))) \
        if mode == "tunnel" else None
    if proto == "ah":
        sc, _, alen = case
        sa = SecurityAssociation(AH, spi=SPI, auth_algo=sc,
                                 auth_key=AKEY[:alen], tunnel_header=th,
                                 esn_en=bool(esn), esn=seq_full >> 32)
        sealed = sa.encrypt(cls(bytes(pkt)), seq_num=seq_full & 0xffffffff)
        return bytes(sealed), sa, True
    sc, _, klen, sa_auth, _, alen = case
    if sc == "GMAC":
        return gmac_seal(cls(bytes(pkt)), th, KEY[:klen], seq_full, esn,
                         iv), None, False
    algo, _, icv = sc.partition("/")
    sa = SecurityAssociation(
        ESP, spi=SPI, crypt_algo=algo, crypt_key=KEY[:klen],
        auth_algo=sa_auth, auth_key=AKEY[:alen] if alen else None,
        tunnel_header=th, esn_en=bool(esn), esn=seq_full >> 32)
    sealed = sa.encrypt(cls(bytes(pkt)), seq_num=seq_full & 0xffffffff,
                        iv=iv or None)
    outcls = IP if bytes(sealed)[0] >> 4 == 4 else IPv6
    hmac_esn = esn and sa_auth != "NULL"
    if icv:
        return truncate_tag(bytes(sealed), outcls, int(icv)), sa, False
    if hmac_esn:
        return resign_esp(sealed, AKEY[:alen], sa_auth, seq_full >> 32), \
            sa, False
    return bytes(sealed), sa, True


def ours_args(proto, case, mode, outer, seq_full, esn, iv):
    if proto == "ah":
        _, oa, alen = case
        enc, ekey, auth, akey = "none", "-", oa, AKEY[:alen].hex()
    else:
        _, ours, klen, _, oa, alen = case
        enc, ekey = ours, KEY[:klen].hex() or "-"
        auth, akey = oa, AKEY[:alen].hex() or "-"
    ts, td = ("-", "-")
    if mode == "tunnel":
        ts, td = T4 if outer == 4 else T6
    return [proto, mode, enc, ekey, auth, akey, SPI, seq_full,
            iv.hex() if ours_iv_is_cbc(proto, case) else "-", esn, ts, td]


def ours_iv_is_cbc(proto, case):
    return proto == "esp" and case[1] == "aes-cbc"


def iv_for(proto, case, seq_full):
    """The IV ipsecd's bundle uses: random (ours: CBC_IV) for CBC, the
    64-bit sequence number for the counter modes, none for NULL/AH."""
    if proto == "ah" or case[1] == "null":
        return b""
    if case[1] == "aes-cbc":
        return CBC_IV
    return struct.pack("!Q", seq_full)


def main():
    passed = failed = 0
    work = [("esp", c) for c in ESP_CASES
            if c[0] != "GMAC" or AESGCM is not None]
    work += [("ah", c) for c in AH_CASES]
    if AESGCM is None:
        print("scapy_check: python3-cryptography missing, AES-GMAC skipped")
    for proto, case in work:
        for esn in (0, 1):
            seq_full = (0x3 << 32 | 0x11) if esn else 0x11
            iv = iv_for(proto, case, seq_full)
            for lname, mode, outer, fam, sizes in layouts():
                for size in sizes:
                    pkt = inner(fam, size, mode == "transport")
                    label = "%s %s esn=%d %s/%d" % (
                        proto, "+".join(str(x) for x in case[:2]), esn,
                        lname, size)
                    theirs, sa, scapy_verifies = scapy_seal(
                        proto, case, mode, outer, pkt, seq_full, esn, iv)
                    common = ours_args(proto, case, mode, outer, seq_full,
                                       esn, iv)
                    # 1. scapy -> ipsecd
                    plain, err = esptool("decap", *common, theirs.hex())
                    ok1 = plain == bytes(pkt)
                    # 2. ipsecd -> scapy, byte-exact
                    mine, err2 = esptool("encap", *common, bytes(pkt).hex())
                    ok2 = mine == theirs
                    ok3 = mine is not None
                    if ok3 and scapy_verifies:
                        cls = IP if mine[0] >> 4 == 4 else IPv6
                        try:
                            back = sa.decrypt(cls(mine))
                            ok3 = bytes(back) == bytes(pkt)
                        except Exception as e:  # noqa: BLE001 (report)
                            ok3 = False
                            err2 = (err2 or "") + " scapy: %s" % \
                                type(e).__name__
                    if ok1 and ok2 and ok3:
                        passed += 1
                    else:
                        failed += 1
                        print("FAIL %s: decap %s, encap %s, scapy %s" % (
                            label, "ok" if ok1 else (err or "differs"),
                            "ok" if ok2 else (err2 or "differs"),
                            "ok" if ok3 else "failed"))
    print("scapy_check: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())
