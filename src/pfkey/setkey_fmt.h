#ifndef IPSECD_PFKEY_SETKEY_FMT_H
#define IPSECD_PFKEY_SETKEY_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ipsec/sa.h"
#include "ipsec/spd.h"
#include "pfkey/setkey.h"

/*
 * Printers in setkey(8)'s formats, for `ipsecctl dump` and `spddump`:
 *
 *   setkey_fmt_sa       an SA as `setkey -D` prints it (Linux, ipsec-tools
 *                       libipsec pfkey_sadump)
 *   setkey_fmt_policy   a policy as `setkey -DP` prints it (pfkey_spdump,
 *                       ipsec_dump_policy)
 *   setkey_fmt_cmd      a command in the input language (setkey.h), which
 *                       setkey_parse_* reads back into the same structs
 *
 * Pure: they write to a struct setkey_out, a FILE or a buffer, and read
 * no clock (the caller passes the times).  Key bytes are printed only with
 * SETKEY_FMT_KEYS; whoever asks for them wipes the buffer afterwards.
 *
 * Where the output differs from setkey's, on purpose:
 *   - times are UTC unless SETKEY_FMT_LOCALTIME (setkey: local time);
 *   - "C: deflate" of an IPcomp SA ends its line (setkey forgets the
 *     newline and runs it into the "seq=" line);
 *   - mode beet prints as "beet" (setkey prints the number 3);
 *   - a policy priority of 0 prints as "prio high + 1073741824" rather
 *     than nothing, so that it reads back as 0 and not as the default;
 *   - a selector port range that is neither one port nor all of them
 *     (PF_KEY cannot express it) prints as [lo-hi];
 *   - protocol names are Debian's /etc/protocols names, built in.
 */
#define SETKEY_FMT_KEYS 0x01	  /* show key bytes (setkey always does) */
#define SETKEY_FMT_LOCALTIME 0x02 /* times in local time, not UTC */

/*
 * Output sink.  With a buffer, output is cut at size - 1 bytes and always
 * NUL-terminated (size > 0); len counts every byte produced, as snprintf,
 * so len >= size means the buffer was too small.  With a FILE, is_failed
 * is set when a write fails.
 */
struct setkey_out {
	FILE *fp;
	char *buf;
	size_t size;
	size_t len;
	bool is_failed;
};

void setkey_out_file(struct setkey_out *o, FILE *fp);
void setkey_out_buf(struct setkey_out *o, char *buf, size_t size);

/*
 * What the SAD knows of an SA at dump time (PF_KEY's SADB_EXT_LIFETIME_
 * CURRENT and the message header of a dump reply).  Times are seconds
 * since the epoch, 0 = never.
 */
struct setkey_sa_info {
	enum sa_state state;
	uint64_t bytes;	   /* processed so far */
	uint64_t packets;  /* "allocated" on Linux */
	uint64_t add_sec;  /* when the SA was added */
	uint64_t use_sec;  /* first use */
	uint64_t now_sec;  /* for "current:" and "diff:" */
	uint32_t seq;	   /* sequence number shown as "seq=" */
	uint32_t sadb_seq; /* dump message sequence and requester's pid */
	uint32_t pid;
	uint32_t refcnt;
};

/* The same for a policy; its own add_sec/use_sec are printed. */
struct setkey_spd_info {
	uint64_t hard_add_sec; /* "lifetime:" and "validtime:" (0 = none) */
	uint64_t hard_use_sec;
	uint32_t seq;
	uint32_t pid;
	uint32_t refcnt;
};

/* One SA in `setkey -D` form; info must not be NULL. */
void setkey_fmt_sa(struct setkey_out *o, const struct sa *sa,
    const struct setkey_sa_info *info, unsigned flags);

/* One policy in `setkey -DP` form; info must not be NULL. */
void setkey_fmt_policy(struct setkey_out *o, const struct spd_policy *pol,
    const struct setkey_spd_info *info, unsigned flags);

/*
 * One command in the input language, with its ";" and a newline.  Without
 * SETKEY_FMT_KEYS each key prints as "<hidden>", which does not parse.
 * Levels other than unique print without their reqid, which the language
 * cannot express (setkey -DP shows it as "require#N").
 */
void setkey_fmt_cmd(
    struct setkey_out *o, const struct setkey_cmd *cmd, unsigned flags);

#endif
