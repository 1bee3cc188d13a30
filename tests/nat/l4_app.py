#!/usr/bin/python3
"""TCP and UDP endpoints for tests/nat/nat_transport.sh.

A datagram or segment reaches these sockets only if the kernel found its
checksum valid, so what they count is what ipsecd delivered intact.

  udp-recv PORT SECONDS N   count datagrams to PORT until N came or the
                            time is up; a raw socket beside it records the
                            UDP checksum field of each, as delivered:
                            prints "received R zero Z nonzero NZ"
  udp-send DST PORT N       send N datagrams of 200 bytes, 50 ms apart
  tcp-echo PORT SECONDS     echo one connection back
  tcp-send DST PORT         send 20000 bytes, read them back: "tcp ok N"
"""
import select
import socket
import struct
import sys
import time


def udp_recv(port, secs, want):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", port))
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    got = zero = nonzero = 0
    end = time.time() + secs
    print("ready", flush=True)
    while time.time() < end and got < want:
        r, _, _ = select.select([u, raw], [], [], 0.2)
        if raw in r:
            pkt = raw.recv(65535)
            ihl = (pkt[0] & 0x0F) * 4
            if len(pkt) >= ihl + 8:
                dport, ck = struct.unpack("!H2xH", pkt[ihl + 2:ihl + 8])
                if dport == port:
                    if ck == 0:
                        zero += 1
                    else:
                        nonzero += 1
        if u in r:
            u.recv(65535)
            got += 1
    # Raw copies of the last datagrams may still be queued.
    while select.select([raw], [], [], 0.2)[0]:
        pkt = raw.recv(65535)
        ihl = (pkt[0] & 0x0F) * 4
        if len(pkt) >= ihl + 8:
            dport, ck = struct.unpack("!H2xH", pkt[ihl + 2:ihl + 8])
            if dport == port:
                zero, nonzero = zero + (ck == 0), nonzero + (ck != 0)
    print("received %d zero %d nonzero %d" % (got, zero, nonzero))


def udp_send(dst, port, n):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(n):
        u.sendto(bytes([i & 0xFF]) * 200, (dst, port))
        time.sleep(0.05)


def tcp_echo(port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(1)
    s.settimeout(secs)
    print("ready", flush=True)
    c, _ = s.accept()
    c.settimeout(secs)
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)


def tcp_send(dst, port):
    data = bytes(range(256)) * 78 + bytes(32)
    s = socket.create_connection((dst, port), timeout=10)
    s.sendall(data)
    back = b""
    while len(back) < len(data):
        d = s.recv(65536)
        if not d:
            break
        back += d
    s.close()
    print("tcp %s %d" % ("ok" if back == data else "bad", len(back)))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "udp-recv":
        udp_recv(int(args[0]), float(args[1]), int(args[2]))
    elif cmd == "udp-send":
        udp_send(args[0], int(args[1]), int(args[2]))
    elif cmd == "tcp-echo":
        tcp_echo(int(args[0]), float(args[1]))
    elif cmd == "tcp-send":
        tcp_send(args[0], int(args[1]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
