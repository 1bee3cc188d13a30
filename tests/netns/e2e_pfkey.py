#!/usr/bin/python3
"""Bad PF_KEY messages to ipsecd's real PF_KEY socket (tests/netns/e2e_pfkey.sh).

    e2e_pfkey.py SOCKET SRC DST SPI-BASE

Sends over the AF_UNIX SOCK_SEQPACKET socket, laid out as
<linux/pfkeyv2.h> (RFC 2367), a valid SADB_ADD of an ESP AES-GCM-16 SA
from SRC to DST (tunnel mode, reqid 1, key bytes 01 02 .. 14) spoiled
one way per case, and checks that each gets an
error reply (a sadb_msg with sadb_msg_errno set, the request's type and
sequence number) with af_key's errno:

    short          10 bytes, less than a sadb_msg                  EMSGSIZE
    truncated      the last 8 bytes cut, sadb_msg_len as before    EMSGSIZE
    ext-overrun    the last extension longer than what is left     EINVAL
    duplicate      the source address twice                        EINVAL
    zero-length    an extension of length 0                        EINVAL
    families       IPv4 source, IPv6 destination                   EINVAL
    unknown-alg    encryption 3 (3DES-CBC), not implemented        ENOSYS
    key-size       AES-GCM-16 with a 64-bit key                    EINVAL

then an SADB_GET of each case's SPI, which must find nothing (ESRCH),
and the unspoiled ADD, which must succeed (errno 0) and be found by GET.
The cases use SPIs SPI-BASE + 1..8, the valid ADD SPI-BASE.  Prints one
line per case; exit 1 at the first surprise.
"""
import errno
import ipaddress
import socket
import struct
import sys

PF_KEY_V2 = 2
SADB_ADD = 3
SADB_GET = 5
SADB_SATYPE_ESP = 3
SADB_EXT_SA = 1
SADB_EXT_ADDRESS_SRC = 5
SADB_EXT_ADDRESS_DST = 6
SADB_EXT_KEY_ENCRYPT = 9
SADB_X_EXT_SA2 = 19
IPSEC_MODE_TUNNEL = 2
SADB_X_EALG_AES_GCM_ICV16 = 20
SADB_EALG_3DESCBC = 3
SADB_SASTATE_MATURE = 1

seq = 0


def msg(mtype, exts, length=None):
    """A sadb_msg of type mtype and the extension bytes exts."""
    global seq
    seq += 1
    body = b"".join(exts)
    n = (16 + len(body)) // 8 if length is None else length
    return struct.pack("=BBBBHHII", PF_KEY_V2, mtype, 0, SADB_SATYPE_ESP, n,
                       0, seq, 4242) + body


def ext_sa(spi, encrypt=SADB_X_EALG_AES_GCM_ICV16):
    return struct.pack("=HHIBBBBI", 2, SADB_EXT_SA, socket.htonl(spi), 0,
                       SADB_SASTATE_MATURE, 0, encrypt, 0)


def sockaddr(addr):
    ip = ipaddress.ip_address(addr)
    if ip.version == 4:
        return struct.pack("=HH4s8x", socket.AF_INET, 0, ip.packed)
    return struct.pack("=HHI16sI", socket.AF_INET6, 0, 0, ip.packed, 0)


def ext_addr(exttype, addr):
    sa = sockaddr(addr)
    sa += b"\0" * (-len(sa) % 8)
    plen = 32 if ":" not in addr else 128
    return struct.pack("=HHBBH", (8 + len(sa)) // 8, exttype, 0, plen,
                       0) + sa


def ext_key(nbytes):
    key = bytes(range(1, nbytes + 1))
    key += b"\0" * (-len(key) % 8)
    return struct.pack("=HHHH", (8 + len(key)) // 8, SADB_EXT_KEY_ENCRYPT,
                       nbytes * 8, 0) + key


def ext_sa2(reqid):
    return struct.pack("=HHBBHII", 2, SADB_X_EXT_SA2, IPSEC_MODE_TUNNEL, 0,
                       0, 0, reqid)


def add(spi, src, dst, encrypt=SADB_X_EALG_AES_GCM_ICV16, keylen=20):
    """ADD of a tunnel-mode SA of reqid 1; key bytes 1, 2, ... keylen."""
    return [ext_sa(spi, encrypt), ext_sa2(1),
            ext_addr(SADB_EXT_ADDRESS_SRC, src),
            ext_addr(SADB_EXT_ADDRESS_DST, dst), ext_key(keylen)]


def talk(s, data):
    """Send data; the reply to our seq: (type, errno, seq)."""
    s.send(data)
    want = struct.unpack_from("=I", data, 8)[0] if len(data) >= 16 else 0
    for _ in range(16):
        r = s.recv(65536)
        if len(r) < 16:
            raise ValueError("reply of %d bytes" % len(r))
        v, t, err, _sat, n, _res, rseq, _pid = struct.unpack_from(
            "=BBBBHHII", r)
        if v != PF_KEY_V2 or n * 8 != len(r):
            raise ValueError("malformed reply %r" % r[:16])
        if rseq == want:
            return t, err, rseq
    raise ValueError("no reply with seq %d" % want)


def main():
    path, src, dst, base = sys.argv[1], sys.argv[2], sys.argv[3], \
        int(sys.argv[4], 0)
    other = "fd00::2" if ":" not in dst else "10.0.0.2"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    good = msg(SADB_ADD, add(base + 1, src, dst))
    ext = add(base + 3, src, dst)
    overrun = bytearray(msg(SADB_ADD, ext))
    # The key extension (last) claims one unit more than the message has.
    off = len(overrun) - len(ext[-1])
    struct.pack_into("=H", overrun, off, len(ext[-1]) // 8 + 1)
    dup = add(base + 4, src, dst)
    dup.insert(3, ext_addr(SADB_EXT_ADDRESS_SRC, src))
    zero = add(base + 5, src, dst)
    zero.insert(1, struct.pack("=HHI", 0, 12, 0))  # sensitivity, len 0
    cases = [
        ("short", good[:10], errno.EMSGSIZE, 0),
        ("truncated", good[:-8], errno.EMSGSIZE, base + 1),
        ("ext-overrun", bytes(overrun), errno.EINVAL, base + 3),
        ("duplicate", msg(SADB_ADD, dup), errno.EINVAL, base + 4),
        ("zero-length", msg(SADB_ADD, zero), errno.EINVAL, base + 5),
        ("families", msg(SADB_ADD, add(base + 6, src, other)),
         errno.EINVAL, base + 6),
        ("unknown-alg", msg(SADB_ADD, add(base + 7, src, dst,
                                          encrypt=SADB_EALG_3DESCBC,
                                          keylen=24)),
         errno.ENOSYS, base + 7),
        ("key-size", msg(SADB_ADD, add(base + 8, src, dst, keylen=8)),
         errno.EINVAL, base + 8),
    ]
    for name, data, want, spi in cases:
        t, err, _ = talk(s, data)
        mtype = data[1] if len(data) >= 16 else 0
        print("%s: errno %d (%s)" % (name, err, errno.errorcode.get(err, "?")))
        if err != want or t != mtype:
            print("%s: expected errno %d type %d, got %d type %d" % (
                name, want, mtype, err, t))
            return 1
        if spi:
            get = msg(SADB_GET, [ext_sa(spi),
                                 ext_addr(SADB_EXT_ADDRESS_SRC, src),
                                 ext_addr(SADB_EXT_ADDRESS_DST, dst)])
            _, gerr, _ = talk(s, get)
            if gerr != errno.ESRCH:
                print("%s: SA 0x%x exists after the refusal (GET errno %d)"
                      % (name, spi, gerr))
                return 1
    t, err, _ = talk(s, msg(SADB_ADD, add(base, src, dst)))
    print("valid add: errno %d (none)" % err)
    if err != 0 or t != SADB_ADD:
        return 1
    _, gerr, _ = talk(s, msg(SADB_GET, [ext_sa(base),
                                        ext_addr(SADB_EXT_ADDRESS_SRC, src),
                                        ext_addr(SADB_EXT_ADDRESS_DST, dst)]))
    print("valid get: errno %d (none)" % gerr)
    return 0 if gerr == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
