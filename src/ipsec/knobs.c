/*
 * The knobs: defaults and the table of FreeBSD sysctl names (ipsec(4),
 * sys/netipsec/ipsec.c, xform_esp.c, xform_ah.c, xform_ipcomp.c) that
 * ipsecd.conf and `ipsecctl set/get/show knobs` share.
 *
 * Two tables: one row per value of struct knobs (its range, named values
 * and meaning), and the sorted list of names pointing at those rows, so
 * that a net.inet6.ipsec6 alias is a second name for the same row.
 */
#include "config.h"

#include "ipsec/knobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum knobs_field {
	KF_AH_CLEARTOS,
	KF_AH_ENABLE,
	KF_AH_NET_DEFLEV,
	KF_AH_OFFSETMASK,
	KF_AH_TRANS_DEFLEV,
	KF_CHECK_POLICY_HISTORY,
	KF_DEF_POLICY,
	KF_DFBIT,
	KF_ECN,
	KF_ESP_ENABLE,
	KF_ESP_NET_DEFLEV,
	KF_ESP_TRANS_DEFLEV,
	KF_IPCOMP_ENABLE,
	KF_NATT_CKSUM_POLICY,
};

/*
 * One value of struct knobs and its canonical name.  names[v - min] is the
 * symbolic name of value v, for knobs that have them; expect is the reason
 * knobs_set gives for a bad value, and lists exactly what parse_value accepts.
 */
struct knobs_spec {
	const char *name; /* canonical name */
	unsigned min;
	unsigned max;
	const char *const *names;
	const char *expect;
	const char *descr;
};

static const char *const policy_names[] = { "discard", "none", NULL };
static const char *const dfbit_names[] = { "clear", "set", "copy", NULL };
static const char *const ecn_names[] = { "forbidden", "allowed", NULL };
static const char *const level_names[] = { "use", "require", "unique", NULL };
static const char *const cksum_names[] = { "auto", "full", NULL };

#define IP4 "net.inet.ipsec."
#define IP6 "net.inet6.ipsec6."
#define BOOL_EXPECT "expected 0 or 1"
#define LEVEL_EXPECT "expected 1 (use), 2 (require) or 3 (unique)"
#define LEVEL(name, what)                                                      \
	{                                                                      \
		name, KNOBS_LEVEL_USE, KNOBS_LEVEL_UNIQUE, level_names,        \
		    LEVEL_EXPECT,                                              \
		    "level of " what " templates whose level is default: "     \
		    "1 use (SA if any), 2 require, 3 unique"                   \
	}

/* Indexed by enum knobs_field. */
static const struct knobs_spec specs[] = {
	[KF_AH_CLEARTOS] = { IP4 "ah_cleartos", 0, 1, NULL, BOOL_EXPECT,
	    "1: the IPv4 TOS counts as zero in the AH ICV (RFC 4302); "
	    "0: as sent, for RFC 1826 peers" },
	[KF_AH_ENABLE] = { "net.inet.ah.ah_enable", 0, 1, NULL, BOOL_EXPECT,
	    "0: drop every inbound AH packet" },
	[KF_AH_NET_DEFLEV] = LEVEL(IP4 "ah_net_deflev", "AH tunnel-mode"),
	[KF_AH_OFFSETMASK] = { IP4 "ah_offsetmask", 0, 0xffff, NULL,
	    "expected 0 to 65535 (0xffff)",
	    "mask ANDed with the IPv4 flags and fragment offset in the AH "
	    "ICV; 0 for RFC 4302" },
	[KF_AH_TRANS_DEFLEV] =
	    LEVEL(IP4 "ah_trans_deflev", "AH transport-mode"),
	[KF_CHECK_POLICY_HISTORY] = { IP4 "check_policy_history", 0, 1, NULL,
	    BOOL_EXPECT,
	    "1: inbound packets must have used exactly the SAs of their "
	    "policy, with its modes, tunnel endpoints and reqids" },
	[KF_DEF_POLICY] = { IP4 "def_policy", KNOBS_POLICY_DISCARD,
	    KNOBS_POLICY_NONE, policy_names, "expected 0 (discard) or 1 (none)",
	    "packets no policy matches: 0 discard, 1 none (pass)" },
	[KF_DFBIT] = { IP4 "dfbit", KNOBS_DF_CLEAR, KNOBS_DF_COPY, dfbit_names,
	    "expected 0 (clear), 1 (set) or 2 (copy)",
	    "outer IPv4 DF bit in tunnel mode: 0 clear, 1 set, 2 copy from "
	    "the inner header" },
	[KF_ECN] = { IP4 "ecn", 0, 1, ecn_names,
	    "expected 0 (forbidden) or 1 (allowed)",
	    "tunnel ECN (RFC 6040): 0 compatibility mode (outer not-ECT), "
	    "1 normal mode (outer copies the inner)" },
	[KF_ESP_ENABLE] = { "net.inet.esp.esp_enable", 0, 1, NULL, BOOL_EXPECT,
	    "0: drop every inbound ESP packet" },
	[KF_ESP_NET_DEFLEV] = LEVEL(IP4 "esp_net_deflev", "ESP tunnel-mode"),
	[KF_ESP_TRANS_DEFLEV] =
	    LEVEL(IP4 "esp_trans_deflev", "ESP transport-mode"),
	[KF_IPCOMP_ENABLE] = { "net.inet.ipcomp.ipcomp_enable", 0, 1, NULL,
	    BOOL_EXPECT, "0: drop every inbound IPcomp packet" },
	[KF_NATT_CKSUM_POLICY] = { IP4 "natt_cksum_policy", 0, 1, cksum_names,
	    "expected 0 (auto) or 1 (full)",
	    "transport-mode NAT-T TCP/UDP checksums: 0 update with NAT-OA "
	    "or clear (UDP) / trust (TCP), 1 recompute" },
};

/* A name and the value it sets; canonical when specs[field].name is it. */
struct knobs_name {
	const char *name;
	enum knobs_field field;
};

/* Sorted by strcmp (check_knobs asserts it); bsearch relies on it. */
static const struct knobs_name names[] = {
	{ "net.inet.ah.ah_enable", KF_AH_ENABLE },
	{ "net.inet.esp.esp_enable", KF_ESP_ENABLE },
	{ "net.inet.ipcomp.ipcomp_enable", KF_IPCOMP_ENABLE },
	{ IP4 "ah_cleartos", KF_AH_CLEARTOS },
	{ IP4 "ah_net_deflev", KF_AH_NET_DEFLEV },
	{ IP4 "ah_offsetmask", KF_AH_OFFSETMASK },
	{ IP4 "ah_trans_deflev", KF_AH_TRANS_DEFLEV },
	{ IP4 "check_policy_history", KF_CHECK_POLICY_HISTORY },
	{ IP4 "def_policy", KF_DEF_POLICY },
	{ IP4 "dfbit", KF_DFBIT },
	{ IP4 "ecn", KF_ECN },
	{ IP4 "esp_net_deflev", KF_ESP_NET_DEFLEV },
	{ IP4 "esp_trans_deflev", KF_ESP_TRANS_DEFLEV },
	{ IP4 "natt_cksum_policy", KF_NATT_CKSUM_POLICY },
	{ IP6 "ah_net_deflev", KF_AH_NET_DEFLEV },
	{ IP6 "ah_trans_deflev", KF_AH_TRANS_DEFLEV },
	{ IP6 "def_policy", KF_DEF_POLICY },
	{ IP6 "ecn", KF_ECN },
	{ IP6 "esp_net_deflev", KF_ESP_NET_DEFLEV },
	{ IP6 "esp_trans_deflev", KF_ESP_TRANS_DEFLEV },
};

#define NNAMES (sizeof(names) / sizeof(names[0]))

/* Every name, in table order; check_knobs compares it with the table. */
static const char unknown_expect[] =
    "expected net.inet.ah.ah_enable, "
    "net.inet.esp.esp_enable, "
    "net.inet.ipcomp.ipcomp_enable, " IP4 "ah_cleartos, " IP4
    "ah_net_deflev, " IP4 "ah_offsetmask, " IP4 "ah_trans_deflev, " IP4
    "check_policy_history, " IP4 "def_policy, " IP4 "dfbit, " IP4 "ecn, " IP4
    "esp_net_deflev, " IP4 "esp_trans_deflev, " IP4 "natt_cksum_policy, " IP6
    "ah_net_deflev, " IP6 "ah_trans_deflev, " IP6 "def_policy, " IP6 "ecn, " IP6
    "esp_net_deflev or " IP6 "esp_trans_deflev";

void
knobs_init(struct knobs *k)
{
	memset(k, 0, sizeof(*k));
	k->def_policy = KNOBS_POLICY_NONE;
	k->dfbit = KNOBS_DF_COPY;
	k->ecn = 0;
	k->check_policy_history = false;
	k->natt_cksum_policy = 0;
	k->ah_cleartos = true;
	k->ah_offsetmask = 0;
	k->esp_trans_deflev = KNOBS_LEVEL_USE;
	k->esp_net_deflev = KNOBS_LEVEL_USE;
	k->ah_trans_deflev = KNOBS_LEVEL_USE;
	k->ah_net_deflev = KNOBS_LEVEL_USE;
	k->esp_enable = true;
	k->ah_enable = true;
	k->ipcomp_enable = true;
}

static unsigned
field_get(const struct knobs *k, enum knobs_field f)
{
	switch (f) {
	case KF_AH_CLEARTOS:
		return k->ah_cleartos;
	case KF_AH_ENABLE:
		return k->ah_enable;
	case KF_AH_NET_DEFLEV:
		return k->ah_net_deflev;
	case KF_AH_OFFSETMASK:
		return k->ah_offsetmask;
	case KF_AH_TRANS_DEFLEV:
		return k->ah_trans_deflev;
	case KF_CHECK_POLICY_HISTORY:
		return k->check_policy_history;
	case KF_DEF_POLICY:
		return k->def_policy;
	case KF_DFBIT:
		return k->dfbit;
	case KF_ECN:
		return k->ecn;
	case KF_ESP_ENABLE:
		return k->esp_enable;
	case KF_ESP_NET_DEFLEV:
		return k->esp_net_deflev;
	case KF_ESP_TRANS_DEFLEV:
		return k->esp_trans_deflev;
	case KF_IPCOMP_ENABLE:
		return k->ipcomp_enable;
	case KF_NATT_CKSUM_POLICY:
		return k->natt_cksum_policy;
	}
	return 0;
}

/* v is within the field's spec range, so the narrowing casts are exact. */
static void
field_set(struct knobs *k, enum knobs_field f, unsigned v)
{
	switch (f) {
	case KF_AH_CLEARTOS:
		k->ah_cleartos = v != 0;
		break;
	case KF_AH_ENABLE:
		k->ah_enable = v != 0;
		break;
	case KF_AH_NET_DEFLEV:
		k->ah_net_deflev = (uint8_t)v;
		break;
	case KF_AH_OFFSETMASK:
		k->ah_offsetmask = (uint16_t)v;
		break;
	case KF_AH_TRANS_DEFLEV:
		k->ah_trans_deflev = (uint8_t)v;
		break;
	case KF_CHECK_POLICY_HISTORY:
		k->check_policy_history = v != 0;
		break;
	case KF_DEF_POLICY:
		k->def_policy = (uint8_t)v;
		break;
	case KF_DFBIT:
		k->dfbit = (uint8_t)v;
		break;
	case KF_ECN:
		k->ecn = (uint8_t)v;
		break;
	case KF_ESP_ENABLE:
		k->esp_enable = v != 0;
		break;
	case KF_ESP_NET_DEFLEV:
		k->esp_net_deflev = (uint8_t)v;
		break;
	case KF_ESP_TRANS_DEFLEV:
		k->esp_trans_deflev = (uint8_t)v;
		break;
	case KF_IPCOMP_ENABLE:
		k->ipcomp_enable = v != 0;
		break;
	case KF_NATT_CKSUM_POLICY:
		k->natt_cksum_policy = (uint8_t)v;
		break;
	}
}

static int
name_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct knobs_name *)elem)->name);
}

static const struct knobs_name *
find(const char *name)
{
	return bsearch(name, names, NNAMES, sizeof(names[0]), name_cmp);
}

/*
 * A decimal number, or 0x and hex digits; nothing else (no sign, no
 * spaces).  Values above max are refused without overflowing.
 */
static bool
parse_number(const char *s, unsigned max, unsigned *v)
{
	unsigned base = 10, n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (d > max || n > (max - d) / base)
			return false;
		n = n * base + d;
	}
	*v = n;
	return true;
}

static bool
parse_value(const struct knobs_spec *sp, const char *s, unsigned *v)
{
	if (sp->names != NULL)
		for (unsigned i = 0; sp->names[i] != NULL; i++)
			if (strcmp(s, sp->names[i]) == 0) {
				*v = sp->min + i;
				return true;
			}
	return parse_number(s, sp->max, v) && *v >= sp->min;
}

size_t
knobs_count(void)
{
	return NNAMES;
}

const char *
knobs_name(size_t i)
{
	return i < NNAMES ? names[i].name : NULL;
}

const char *
knobs_descr(size_t i)
{
	return i < NNAMES ? specs[names[i].field].descr : NULL;
}

const char *
knobs_lookup(const char *name)
{
	const struct knobs_name *n = find(name);

	return n != NULL ? specs[n->field].name : NULL;
}

int
knobs_set(
    struct knobs *k, const char *name, const char *value, const char **why)
{
	const struct knobs_name *n = find(name);
	const struct knobs_spec *sp;
	unsigned v;

	if (n == NULL) {
		*why = unknown_expect;
		return -1;
	}
	sp = &specs[n->field];
	if (!parse_value(sp, value, &v)) {
		*why = sp->expect;
		return -1;
	}
	field_set(k, n->field, v);
	return 0;
}

int
knobs_get(const struct knobs *k, const char *name, char *buf, size_t size)
{
	const struct knobs_name *n = find(name);

	if (n == NULL || size < KNOBS_VALUE_MAX)
		return -1;
	snprintf(buf, size, "%u", field_get(k, n->field));
	return 0;
}

void
knobs_foreach(const struct knobs *k, knobs_visit_fn fn, void *arg)
{
	char buf[KNOBS_VALUE_MAX];

	for (size_t i = 0; i < NNAMES; i++) {
		snprintf(buf, sizeof(buf), "%u", field_get(k, names[i].field));
		fn(arg, names[i].name, buf, specs[names[i].field].descr);
	}
}
