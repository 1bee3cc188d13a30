/*
 * conf_check FILE: what `ipsecd -n -f FILE` does (conf_test), so that the
 * bad-config suite (tests/conf/run.sh) runs without the daemon.  Prints
 * "configuration OK" or every error to stderr; exits 0 or 1 (2 on usage).
 */
#include "config.h"

#include <stdio.h>

#include "daemon/conf.h"

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: conf_check FILE\n");
		return 2;
	}
	return conf_test(argv[1], stderr);
}
