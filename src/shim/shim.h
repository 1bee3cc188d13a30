#ifndef IPSECD_SHIM_SHIM_H
#define IPSECD_SHIM_SHIM_H

#include <stdint.h>

/*
 * libipsecd-pfkey.so: an LD_PRELOAD library that lets an unmodified key
 * manager (racoon, strongSwan's charon with kernel-pfkey, or any program
 * written against <linux/pfkeyv2.h>) drive ipsecd instead of the kernel:
 *
 *   LD_PRELOAD=libipsecd-pfkey.so charon
 *
 * What it changes, and nothing else (every other call goes straight to
 * the C library):
 *
 *   socket(PF_KEY, SOCK_RAW, PF_KEY_V2)
 *       A SOCK_SEQPACKET socket connected to ipsecd's PF_KEY emulation
 *       socket (pfkey/server.h) at $IPSECD_PFKEY_SOCKET (default
 *       SHIM_PFKEY_PATH).  Another type is ESOCKTNOSUPPORT, another
 *       protocol EPROTONOSUPPORT, as Linux answers; a failed connect
 *       fails the socket() call with connect's errno (ENOENT or
 *       ECONNREFUSED when ipsecd is not running).  SOCK_NONBLOCK and
 *       SOCK_CLOEXEC are honoured.  Later calls on that descriptor:
 *         send, sendto, sendmsg, write, writev: one message per call,
 *           failed with EMSGSIZE or EINVAL without sending anything when
 *           Linux's base header check would fail (shim_msg_check);
 *           MSG_OOB is EOPNOTSUPP; never SIGPIPE.
 *         recv, recvfrom, recvmsg, read, readv (and the _FORTIFY_SOURCE
 *           __*_chk forms): one message per call, MSG_PEEK and MSG_TRUNC
 *           as on Linux (MSG_TRUNC: the message's real length), flags
 *           other than MSG_PEEK, MSG_DONTWAIT and MSG_TRUNC are EINVAL,
 *           no source address (namelen 0).  If ipsecd closed the
 *           connection, ECONNRESET (a PF_KEY socket never sees EOF).
 *         poll, select, epoll, fcntl(O_NONBLOCK), setsockopt and
 *           getsockopt at SOL_SOCKET (SO_RCVBUF, SO_SNDBUF, ...): as they
 *           are, on the emulation socket; SO_TYPE, SO_DOMAIN and
 *           SO_PROTOCOL read SOCK_RAW, PF_KEY and PF_KEY_V2.  Options at
 *           other levels are EOPNOTSUPP.
 *         bind, connect, listen, accept, shutdown, getsockname,
 *           getpeername: EOPNOTSUPP (af_key's sock_no_* operations).
 *         dup, dup2, dup3, fcntl(F_DUPFD): the copy is a PF_KEY socket
 *           too.  close: forgotten.
 *
 *   setsockopt(IPPROTO_IP, IP_IPSEC_POLICY) and
 *   setsockopt(IPPROTO_IPV6, IPV6_IPSEC_POLICY)
 *       Never reach the kernel.  Checked as Linux checks them
 *       (shim_policy_check): bypass, none and entrust policies are
 *       accepted and recorded in ipsecd through its control socket
 *       ($IPSECD_CONTROL_SOCKET, default SHIM_CONTROL_PATH; request
 *       "sockpolicy", daemon/control.h), where `ipsecctl show sp` lists
 *       them; the record is dropped when the descriptor is closed or the
 *       policy cleared.  A failed record (ipsecd not running) does not
 *       fail the call: the policy has no effect on ipsecd either way,
 *       because an IKE daemon's own packets never enter an ipsecN
 *       device.
 *
 *   setsockopt(SOL_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP or _NON_IKE)
 *       Answered 0 without reaching the kernel (whose xfrm would take the
 *       ESP-in-UDP packets and find no SA).
 *
 *   bind() of a UDP socket to port $IPSECD_NATT_PORT (default
 *   SHIM_NATT_PORT)
 *       SO_REUSEPORT is set first, so the socket joins the reuseport
 *       group of ipsecd's workers on that port (daemon/sock.h): the
 *       group's steering program hands it the IKE packets (zero non-ESP
 *       marker) with their real source addresses, and ESP-in-UDP and
 *       NAT-keepalives go to ipsecd.  The kernel joins the group only
 *       when ipsecd's sockets came first, the bound address is the same
 *       (ipsecd binds the wildcard: so must the IKE daemon), IPv6
 *       sockets are v6-only on both sides, and both were created by the
 *       same user (root).  Otherwise the bind fails (EADDRINUSE) as it
 *       would without the shim.
 *
 * Descriptors are tracked up to SHIM_FD_MAX; socket(PF_KEY) returning a
 * higher one fails with EMFILE.  Not emulated: recvmmsg/sendmmsg and
 * ioctl on a PF_KEY socket (they act on the emulation socket), a PF_KEY
 * socket inherited across exec (the new image's shim does not know it),
 * close_range/closefrom (records of socket policies stay until ipsecd
 * sees the process gone).
 *
 * The library is thread-safe: descriptor kinds are atomics, real
 * functions are resolved with dlsym(RTLD_NEXT) by its constructor, before
 * the host program runs (and on first use, for calls that come earlier
 * from other libraries' constructors).
 */

#define SHIM_PFKEY_PATH "/run/ipsecd/pfkey.sock"
#define SHIM_CONTROL_PATH "/run/ipsecd/control.sock"
#define SHIM_NATT_PORT 4500
#define SHIM_FD_MAX 65536

#endif
