#!/usr/bin/python3
"""Captures of the end-to-end tests (tests/netns/e2e_*.sh), read with scapy.

The SAs come from the file e2e_lib.sh writes as it makes the setkey
files, one per line:
    SPI PROTO CRYPT CRYPT-KEY AUTH AUTH-KEY SRC DST
(PROTO esp, ah or ipcomp; CRYPT and AUTH in scapy's names, keys in hex,
"-" for none), so scapy decrypts with the keys the test chose, not with
what ipsecd made of them.

    e2e_pcap.py check PCAP SAS MARKER [--min-decrypted N] [--need PROTOS]
        Every IP packet on the wire is ESP, AH or IPcomp (or ESP-in-UDP,
        or a NAT-keepalive, on port 4500) with an SPI of SAS going from
        the SA's source to its destination; the marker appears in no
        packet's bytes; each ESP/AH/IPcomp layer is removed with the SA's
        keys (AH's ICV and ESP's ICV verified) and at least N (default 1)
        packets carry the marker once decrypted.  PROTOS (comma list of
        esp, ah, ipcomp, udp) must each be seen.  ARP and IPv6 neighbour
        discovery (and whatever goes to ff02::/16, MLD) are link traffic and
        skipped.  Exit 1 with the reason.
    e2e_pcap.py df PCAP SRC
        For each IPv4 packet from SRC: "DF MF OFFSET LENGTH" (DF and MF
        1 or 0, the fragment offset in bytes).
    e2e_pcap.py replay PCAP IFACE SRC
        Send again (sendp on IFACE) the last ESP frame from SRC; prints
        its SPI and sequence number.
    e2e_pcap.py forge SAS SPI SEQ IFACE DSTMAC INNERSRC INNERDST [--flip]
        Build a tunnel-mode ESP packet of SA SPI with sequence number SEQ
        around an ICMP echo request with the marker, flip the last byte
        (the ICV) with --flip, and sendp it on IFACE to DSTMAC.
"""
import argparse
import sys
import zlib

try:
    from scapy.all import rdpcap, sendp
    from scapy.layers.inet import ICMP, IP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.ipsec import AH, ESP, SecurityAssociation
    from scapy.layers.l2 import ARP, Ether
    from scapy.packet import Raw
    from scapy.config import conf
except ImportError:
    print("e2e_pcap: python3-scapy missing", file=sys.stderr)
    sys.exit(99)

conf.verb = 0
NATT_PORT = 4500
# ICMPv6 router and neighbour discovery: link traffic, never tunnelled.
ND_TYPES = {133, 134, 135, 136, 137}


class Sa:
    def __init__(self, line):
        f = line.split()
        self.spi = int(f[0], 0)
        self.proto = f[1]
        self.src, self.dst = f[6], f[7]
        self.scapy = None
        if self.proto == "esp":
            self.scapy = SecurityAssociation(
                ESP, spi=self.spi, crypt_algo=f[2],
                crypt_key=bytes.fromhex(f[3]), auth_algo=f[4],
                auth_key=None if f[5] == "-" else bytes.fromhex(f[5]))
        elif self.proto == "ah":
            self.scapy = SecurityAssociation(
                AH, spi=self.spi, auth_algo=f[4],
                auth_key=bytes.fromhex(f[5]))


def load_sas(path):
    sas = {}
    with open(path) as fh:
        for line in fh:
            if line.strip():
                sa = Sa(line)
                sas[(sa.proto, sa.spi)] = sa
    return sas


def l4(ip):
    return ip.proto if ip.version == 4 else ip.nh


def set_l4(ip, proto):
    if ip.version == 4:
        ip.proto = proto
    else:
        ip.nh = proto


def rebuild(ip, proto, payload):
    """ip's header (a copy) with protocol proto and the bytes payload."""
    h = ip.copy()
    h.remove_payload()
    set_l4(h, proto)
    if h.version == 4:
        del h.len
        del h.chksum
    else:
        del h.plen
    return h.__class__(bytes(h / Raw(payload)))


def spi_of(ip):
    """(proto name, SPI or CPI, IP packet with ESP in place of UDP)."""
    p = l4(ip)
    data = bytes(ip.payload)
    if p == 50:
        return "esp", int.from_bytes(data[0:4], "big"), ip
    if p == 51:
        return "ah", int.from_bytes(data[4:8], "big"), ip
    if p == 108:
        return "ipcomp", int.from_bytes(data[2:4], "big"), ip
    if p == 17 and NATT_PORT in (ip[UDP].sport, ip[UDP].dport):
        body = bytes(ip[UDP].payload)
        if body == b"\xff":
            return "keepalive", None, ip
        if len(body) < 8 or body[0:4] == b"\0\0\0\0":
            return "ike", None, ip
        return "udp", int.from_bytes(body[0:4], "big"), rebuild(ip, 50, body)
    return None, None, ip


def peel(ip, sas, used):
    """Remove every IPsec layer with the keys of sas; the innermost packet."""
    for _ in range(8):
        kind, spi, ip = spi_of(ip)
        if kind == "udp":
            kind = "esp"
        if kind not in ("esp", "ah", "ipcomp"):
            return ip
        sa = sas.get((kind, spi))
        if sa is None:
            raise ValueError("%s SPI 0x%x: no such SA" % (kind, spi))
        used.add(kind)
        if kind == "ipcomp":
            data = bytes(ip.payload)
            nh, body = data[0], data[4:]
            ip = rebuild(ip, nh, zlib.decompress(body, -15))
        else:
            ip = sa.scapy.decrypt(ip)
            if not isinstance(ip, (IP, IPv6)):
                raise ValueError("decrypted to %r" % ip)
            ip = ip.__class__(bytes(ip))
        if l4(ip) in (4, 41):
            ip = ip.payload.__class__(bytes(ip.payload))
    raise ValueError("more than 8 layers")


def cmd_check(a):
    sas = load_sas(a.sas)
    marker = a.marker.encode()
    need = set(a.need.split(",")) if a.need else set()
    counts = {}
    seen = set()
    decrypted = with_marker = 0
    for i, fr in enumerate(rdpcap(a.pcap)):
        if ARP in fr:
            continue
        ip = fr.payload
        if not isinstance(ip, (IP, IPv6)):
            print("packet %d: not IP: %r" % (i, fr.summary()))
            return 1
        if ip.version == 6 and (ip.dst.startswith("ff02:") or (
                ip.nh == 58 and bytes(ip.payload)[0] in ND_TYPES)):
            continue
        if marker in bytes(fr):
            print("packet %d: marker in the clear: %s" % (i, fr.summary()))
            return 1
        kind, spi, _ = spi_of(ip)
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "keepalive":
            continue
        if kind not in ("esp", "ah", "ipcomp", "udp"):
            print("packet %d: not protected: %s" % (i, fr.summary()))
            return 1
        seen.add(kind)
        sa = sas.get(("esp" if kind == "udp" else kind, spi))
        if sa is None:
            print("packet %d: %s SPI 0x%x is not ours" % (i, kind, spi))
            return 1
        if (ip.src, ip.dst) != (sa.src, sa.dst):
            print("packet %d: SPI 0x%x from %s to %s, SA is %s to %s" % (
                i, spi, ip.src, ip.dst, sa.src, sa.dst))
            return 1
        try:
            inner = peel(ip.copy(), sas, seen)
        except Exception as e:  # scapy's IPSecIntegrityError and others
            print("packet %d: SPI 0x%x does not decrypt: %s" % (i, spi, e))
            return 1
        decrypted += 1
        if marker in bytes(inner):
            with_marker += 1
    print("check: %s; %d decrypted, %d with the marker" % (
        ", ".join("%s %d" % kv for kv in sorted(counts.items(), key=str)),
        decrypted, with_marker))
    if with_marker < a.min_decrypted:
        print("check: marker in %d decrypted packets, need %d" % (
            with_marker, a.min_decrypted))
        return 1
    if not need <= seen:
        print("check: never saw %s" % ",".join(sorted(need - seen)))
        return 1
    return 0


def cmd_df(a):
    for fr in rdpcap(a.pcap):
        if IP in fr and fr[IP].src == a.src:
            ip = fr[IP]
            print("%d %d %d %d" % (1 if ip.flags.DF else 0,
                                   1 if ip.flags.MF else 0, ip.frag * 8,
                                   ip.len))
    return 0


def cmd_replay(a):
    last = None
    for fr in rdpcap(a.pcap):
        ip = fr.payload
        if isinstance(ip, (IP, IPv6)) and ip.src == a.src and l4(ip) == 50:
            last = fr
    if last is None:
        print("replay: no ESP frame from %s" % a.src)
        return 1
    esp = bytes(last.payload.payload)
    sendp(last, iface=a.iface)
    print("0x%x %d" % (int.from_bytes(esp[0:4], "big"),
                       int.from_bytes(esp[4:8], "big")))
    return 0


def cmd_forge(a):
    sa = load_sas(a.sas)[("esp", int(a.spi, 0))]
    fam = IPv6 if ":" in sa.src else IP
    sa.scapy.tunnel_header = fam(src=sa.src, dst=sa.dst)
    inner = IP(src=a.innersrc, dst=a.innerdst) / ICMP(id=0xe2e, seq=1) / \
        Raw(a.marker.encode() * 4)
    pkt = sa.scapy.encrypt(inner, seq_num=a.seq)
    data = bytearray(bytes(pkt))
    if a.flip:
        data[-1] ^= 0x01
    sendp(Ether(dst=a.dstmac) / fam(bytes(data)), iface=a.iface)
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("check")
    p.add_argument("pcap")
    p.add_argument("sas")
    p.add_argument("marker")
    p.add_argument("--min-decrypted", type=int, default=1)
    p.add_argument("--need", default="")
    p = sub.add_parser("df")
    p.add_argument("pcap")
    p.add_argument("src")
    p = sub.add_parser("replay")
    p.add_argument("pcap")
    p.add_argument("iface")
    p.add_argument("src")
    p = sub.add_parser("forge")
    p.add_argument("sas")
    p.add_argument("spi")
    p.add_argument("seq", type=int)
    p.add_argument("iface")
    p.add_argument("dstmac")
    p.add_argument("innersrc")
    p.add_argument("innerdst")
    p.add_argument("--flip", action="store_true")
    p.add_argument("--marker", default="IPSECD-E2E-MARK!")
    a = ap.parse_args()
    return {"check": cmd_check, "df": cmd_df, "replay": cmd_replay,
            "forge": cmd_forge}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
