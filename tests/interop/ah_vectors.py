#!/usr/bin/python3
"""Known-answer AH packets from scapy's independent implementation.

Prints, as C arrays, the input packet and scapy's AH output for the cases
tests/unit/check_ah.c uses (the arrays there were pasted from this
script's output; run it again to check them):

    /usr/bin/python3 tests/interop/ah_vectors.py

Keys are fixed: HMAC-SHA1-96 key 0x01..0x14, HMAC-SHA256-128 key
0x21..0x40.  Exit 77 (skip) without scapy.
"""
import sys

try:
    from scapy.layers.inet import IP, UDP
    from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop,
                                    HBHOptUnknown, PadN)
    from scapy.layers.ipsec import AH, SecurityAssociation
    from scapy.packet import Raw
except ImportError:
    print("ah_vectors: python3-scapy not installed, skipping")
    sys.exit(77)

SHA1_KEY = bytes(range(0x01, 0x01 + 20))
SHA256_KEY = bytes(range(0x21, 0x21 + 32))
PAYLOAD = b"ipsecd ah known answer"


def v4_inner():
    return IP(src="192.0.2.1", dst="198.51.100.2", tos=0x2e, ttl=64,
              id=0x1234, flags="DF") / UDP(sport=1234, dport=5678) / \
        Raw(PAYLOAD)


def v6_inner():
    # Hop-by-Hop with an option whose "may change" bit (0x20) is set.
    hbh = IPv6ExtHdrHopByHop(options=[
        HBHOptUnknown(otype=0x3e, optdata=b"\xaa\xbb\xcc\xdd"), PadN(optdata=b"")])
    return IPv6(src="2001:db8::1", dst="2001:db8::2", tc=0xb8, fl=0x12345,
                hlim=64) / hbh / UDP(sport=1234, dport=5678) / Raw(PAYLOAD)


def case(name, sa, pkt, **kw):
    out = sa.encrypt(pkt, **kw)
    emit(name + "_in", bytes(pkt))
    emit(name + "_out", bytes(out))


def emit(name, b):
    print("static const uint8_t %s[%d] = {" % (name, len(b)))
    for i in range(0, len(b), 12):
        print("\t" + ", ".join("0x%02x" % x for x in b[i:i + 12]) + ",")
    print("};")


sa1 = SecurityAssociation(AH, spi=0x1000, auth_algo="HMAC-SHA1-96",
                          auth_key=SHA1_KEY)
case("v4_sha1", sa1, v4_inner(), seq_num=1)

sa2 = SecurityAssociation(AH, spi=0x2000, auth_algo="SHA2-256-128",
                          auth_key=SHA256_KEY)
case("v6_sha256", sa2, v6_inner(), seq_num=5)

# Tunnel: scapy builds the outer header; the C test passes ipsecd the
# IP-in-IP packet (outer header already built) and compares the result.
sa3 = SecurityAssociation(AH, spi=0x3000, auth_algo="SHA2-256-128",
                          auth_key=SHA256_KEY,
                          tunnel_header=IP(src="203.0.113.1",
                                           dst="203.0.113.2", ttl=32,
                                           id=0x0101))
inner = IP(bytes(v4_inner()))
tun_in = IP(src="203.0.113.1", dst="203.0.113.2", ttl=32, id=0x0101,
            proto=4) / inner
emit("v4tun_sha256_in", bytes(tun_in))
emit("v4tun_sha256_out", bytes(sa3.encrypt(inner, seq_num=7)))

# ESN: high half 1, low half 2 (full sequence number 0x100000002).
sa4 = SecurityAssociation(AH, spi=0x4000, auth_algo="HMAC-SHA1-96",
                          auth_key=SHA1_KEY, esn_en=True, esn=1)
case("v4_sha1_esn", sa4, v4_inner(), seq_num=2)

# IPv4 with the AH length rounded to 8 bytes as Linux sends by default
# (no XFRM_STATE_ALIGN4): HMAC-SHA256-128, 12 + 16 + 4 bytes of padding.
sa5 = SecurityAssociation(AH, spi=0x5000, auth_algo="SHA2-256-128",
                          auth_key=SHA256_KEY)
v4 = v4_inner()
ah = AH(nh=17, payloadlen=32 // 4 - 2, reserved=0, spi=0x5000, seq=3,
        icv=b"\x00" * 16)
ah.padding = b"\x00" * 4
pkt = IP(src=v4.src, dst=v4.dst, tos=v4.tos, ttl=v4.ttl, id=v4.id,
         flags=v4.flags, proto=51) / ah / UDP(bytes(v4[UDP]))
signed = sa5.auth_algo.sign(pkt, SHA256_KEY)
emit("v4_sha256_align8_out", bytes(signed))
