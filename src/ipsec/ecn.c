/*
 * RFC 6040 ECN tunnelling.  Decapsulation is Figure 4 of section 4.2 as a
 * table indexed by [inner ECN][outer ECN]:
 *
 *   +---------+------------------------------------------------+
 *   |Arriving |            Arriving Outer Header               |
 *   |   Inner +---------+------------+------------+------------+
 *   |  Header | Not-ECT | ECT(0)     | ECT(1)     |     CE     |
 *   +---------+---------+------------+------------+------------+
 *   | Not-ECT | Not-ECT |Not-ECT(!!!)|Not-ECT(!!!)| <drop>(!!!)|
 *   |  ECT(0) |  ECT(0) | ECT(0)     | ECT(1)     |     CE     |
 *   |  ECT(1) |  ECT(1) | ECT(1) (!) | ECT(1)     |     CE     |
 *   |    CE   |      CE |     CE     |     CE(!!!)|     CE     |
 *   +---------+---------+------------+------------+------------+
 */
#include "config.h"

#include "ipsec/ecn.h"

#include <stdbool.h>
#include <stddef.h>

struct ecn_cell {
	uint8_t ecn;
	bool is_drop;
	uint8_t note; /* enum ecn_note */
};

/* [inner][outer], codepoints indexed by value: Not-ECT, ECT(1), ECT(0), CE. */
static const struct ecn_cell ecn_decap_table[4][4] = {
	[ECN_NOT_ECT] = {
		[ECN_NOT_ECT] = { ECN_NOT_ECT, false, ECN_NOTE_NONE },
		[ECN_ECT0] = { ECN_NOT_ECT, false, ECN_NOTE_ALARM },
		[ECN_ECT1] = { ECN_NOT_ECT, false, ECN_NOTE_ALARM },
		[ECN_CE] = { ECN_NOT_ECT, true, ECN_NOTE_ALARM }, /* drop */
	},
	[ECN_ECT0] = {
		[ECN_NOT_ECT] = { ECN_ECT0, false, ECN_NOTE_NONE },
		[ECN_ECT0] = { ECN_ECT0, false, ECN_NOTE_NONE },
		[ECN_ECT1] = { ECN_ECT1, false, ECN_NOTE_NONE },
		[ECN_CE] = { ECN_CE, false, ECN_NOTE_NONE },
	},
	[ECN_ECT1] = {
		[ECN_NOT_ECT] = { ECN_ECT1, false, ECN_NOTE_NONE },
		[ECN_ECT0] = { ECN_ECT1, false, ECN_NOTE_WARN },
		[ECN_ECT1] = { ECN_ECT1, false, ECN_NOTE_NONE },
		[ECN_CE] = { ECN_CE, false, ECN_NOTE_NONE },
	},
	[ECN_CE] = {
		[ECN_NOT_ECT] = { ECN_CE, false, ECN_NOTE_NONE },
		[ECN_ECT0] = { ECN_CE, false, ECN_NOTE_NONE },
		[ECN_ECT1] = { ECN_CE, false, ECN_NOTE_ALARM },
		[ECN_CE] = { ECN_CE, false, ECN_NOTE_NONE },
	},
};

uint8_t
ecn_encap(uint8_t outer_tos, uint8_t inner_tos, enum ecn_mode mode)
{
	uint8_t ecn = ECN_NOT_ECT;

	switch (mode) {
	case ECN_MODE_COMPAT:
		break;
	case ECN_MODE_NORMAL:
		ecn = inner_tos & ECN_MASK;
		break;
	}
	return (uint8_t)((outer_tos & ~ECN_MASK) | ecn);
}

enum ipsec_verdict
ecn_decap(uint8_t outer_tos, uint8_t *inner_tos, enum ecn_note *note)
{
	const struct ecn_cell *c =
	    &ecn_decap_table[*inner_tos & ECN_MASK][outer_tos & ECN_MASK];

	if (note != NULL)
		*note = c->note;
	if (c->is_drop)
		return IPSEC_DROP_HDR;
	*inner_tos = (uint8_t)((*inner_tos & ~ECN_MASK) | c->ecn);
	return IPSEC_OK;
}
