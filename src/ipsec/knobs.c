/* Default knob values (ipsec(4)); see knobs.h. */
#include "config.h"

#include "ipsec/knobs.h"

#include <string.h>

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
