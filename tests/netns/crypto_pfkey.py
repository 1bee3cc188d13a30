#!/usr/bin/python3
"""A small PF_KEY client for tests/netns/crypto_offload.sh.

Talks to ipsecd's PF_KEY socket (AF_UNIX SOCK_SEQPACKET, messages laid
out as <linux/pfkeyv2.h>, RFC 2367):

    crypto_pfkey.py register SOCKET
        SADB_REGISTER for ESP; prints the reply's errno, then one line
        per algorithm of SUPPORTED_ENCRYPT and SUPPORTED_AUTH:
            encrypt ID MINBITS MAXBITS
            auth ID MINBITS MAXBITS
    crypto_pfkey.py add SOCKET SRC DST SPI ALG
        SADB_ADD of a tunnel-mode ESP SA (reqid 1) with ALG "gcm"
        (AES-GCM-16, 128-bit key + salt) or "chacha" (ChaCha20-Poly1305,
        256-bit key + salt); prints "errno N".

Exit 1 when the daemon does not answer as PF_KEY would.
"""
import ipaddress
import socket
import struct
import sys

PF_KEY_V2 = 2
SADB_ADD = 3
SADB_REGISTER = 7
SADB_SATYPE_ESP = 3
SADB_EXT_SA = 1
SADB_EXT_ADDRESS_SRC = 5
SADB_EXT_ADDRESS_DST = 6
SADB_EXT_KEY_ENCRYPT = 9
SADB_EXT_SUPPORTED_AUTH = 14
SADB_EXT_SUPPORTED_ENCRYPT = 15
SADB_X_EXT_SA2 = 19
IPSEC_MODE_TUNNEL = 2
SADB_SASTATE_MATURE = 1
# ipsecd's number for ChaCha20-Poly1305 (src/crypto/alg.h), and GCM-16.
ALGS = {"gcm": (20, 20), "chacha": (28, 36)}

seq = 0


def msg(mtype, exts):
    global seq
    seq += 1
    body = b"".join(exts)
    return struct.pack("=BBBBHHII", PF_KEY_V2, mtype, 0, SADB_SATYPE_ESP,
                       (16 + len(body)) // 8, 0, seq, 4243) + body


def sockaddr(addr):
    ip = ipaddress.ip_address(addr)
    if ip.version == 4:
        return struct.pack("=HH4s8x", socket.AF_INET, 0, ip.packed)
    return struct.pack("=HHI16sI", socket.AF_INET6, 0, 0, ip.packed, 0)


def ext_addr(exttype, addr):
    sa = sockaddr(addr)
    sa += b"\0" * (-len(sa) % 8)
    plen = 128 if ":" in addr else 32
    return struct.pack("=HHBBH", (8 + len(sa)) // 8, exttype, 0, plen,
                       0) + sa


def add(spi, src, dst, alg):
    ealg, keylen = ALGS[alg]
    key = bytes(range(1, keylen + 1))
    key += b"\0" * (-len(key) % 8)
    return [
        struct.pack("=HHIBBBBI", 2, SADB_EXT_SA, socket.htonl(spi), 0,
                    SADB_SASTATE_MATURE, 0, ealg, 0),
        struct.pack("=HHBBHII", 2, SADB_X_EXT_SA2, IPSEC_MODE_TUNNEL, 0, 0,
                    0, 1),
        ext_addr(SADB_EXT_ADDRESS_SRC, src),
        ext_addr(SADB_EXT_ADDRESS_DST, dst),
        struct.pack("=HHHH", (8 + len(key)) // 8, SADB_EXT_KEY_ENCRYPT,
                    keylen * 8, 0) + key,
    ]


def talk(s, data):
    """Send data; the reply with our seq, whole."""
    s.send(data)
    want = struct.unpack_from("=I", data, 8)[0]
    for _ in range(16):
        r = s.recv(65536)
        if len(r) < 16:
            raise ValueError("reply of %d bytes" % len(r))
        v, _t, _err, _sat, n, _res, rseq, _pid = struct.unpack_from(
            "=BBBBHHII", r)
        if v != PF_KEY_V2 or n * 8 != len(r):
            raise ValueError("malformed reply %r" % r[:16])
        if rseq == want:
            return r
    raise ValueError("no reply with seq %d" % want)


def supported(r):
    """The (kind, id, min, max) of the SUPPORTED extensions of r."""
    out = []
    off = 16
    while off + 4 <= len(r):
        elen, etype = struct.unpack_from("=HH", r, off)
        if elen == 0 or off + elen * 8 > len(r):
            raise ValueError("bad extension at %d" % off)
        if etype in (SADB_EXT_SUPPORTED_AUTH, SADB_EXT_SUPPORTED_ENCRYPT):
            kind = "auth" if etype == SADB_EXT_SUPPORTED_AUTH else "encrypt"
            for a in range(off + 8, off + elen * 8, 8):
                aid, _iv, lo, hi, _r = struct.unpack_from("=BBHHH", r, a)
                out.append((kind, aid, lo, hi))
        off += elen * 8
    return out


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("register", "add"):
        print(__doc__, file=sys.stderr)
        return 2
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(sys.argv[2])
    if sys.argv[1] == "register":
        r = talk(s, msg(SADB_REGISTER, []))
        print("errno %d" % r[2])
        for kind, aid, lo, hi in supported(r):
            print("%s %d %d %d" % (kind, aid, lo, hi))
        return 0
    src, dst, spi, alg = sys.argv[3], sys.argv[4], int(sys.argv[5], 0), \
        sys.argv[6]
    r = talk(s, msg(SADB_ADD, add(spi, src, dst, alg)))
    print("errno %d" % r[2])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError) as e:
        print("crypto_pfkey: %s" % e, file=sys.stderr)
        sys.exit(1)
