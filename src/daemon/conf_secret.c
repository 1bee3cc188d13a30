/*
 * Files that hold keys (the setkey(8) files of include statements): only
 * root, or the user ipsecd runs as, may own them, and nobody else may read
 * or write them (STYLE.md section 9, as OpenBSD's iked and ipsecctl
 * refuse such files).
 */
#include "config.h"

#include "daemon/conf.h"

#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool
conf_secret_check(const struct stat *st, uid_t euid, char *why, size_t size)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, size, "not a regular file");
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != euid) {
		if (euid == 0)
			snprintf(why, size, "owned by uid %u; expected root",
			    (unsigned)st->st_uid);
		else
			snprintf(why, size,
			    "owned by uid %u; expected root or uid %u",
			    (unsigned)st->st_uid, (unsigned)euid);
		return false;
	}
	if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(why, size,
		    "mode %04o gives group or others access; expected 0600 or "
		    "stricter",
		    (unsigned)(st->st_mode & 07777));
		return false;
	}
	return true;
}

bool
conf_secret_check_fd(int fd, char *why, size_t size)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		snprintf(why, size, "%s", strerror(errno));
		return false;
	}
	return conf_secret_check(&st, geteuid(), why, size);
}

bool
conf_secret_check_path(const char *path, char *why, size_t size)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(why, size, "%s", strerror(errno));
		return false;
	}
	return conf_secret_check(&st, geteuid(), why, size);
}
