/* Privilege drop with libcap-ng (privdrop.h). */
#include "config.h"

#include "daemon/privdrop.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <errno.h>
#include <pwd.h>
#include <string.h>

#include <cap-ng.h>

void
privdrop_nodump(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int
privdrop(const char *user)
{
	struct passwd *pw = NULL;
	int rc;

	if (user != NULL && strcmp(user, "root") != 0) {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL) {
			if (errno == 0)
				errno = ENOENT;
			return -1;
		}
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
		CAP_NET_ADMIN, CAP_NET_RAW, CAP_DAC_READ_SEARCH, -1) != 0) {
		errno = EINVAL;
		return -1;
	}
	if (pw != NULL)
		rc = capng_change_id(pw->pw_uid, pw->pw_gid,
		    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	else
		rc = capng_apply(CAPNG_SELECT_BOTH);
	if (rc != 0) {
		errno = EPERM;
		return -1;
	}
	privdrop_nodump();
	return 0;
}
