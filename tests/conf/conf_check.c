/*
 * conf_check FILE: what `ipsecd -n -f FILE` does, so that the bad-config
 * suite (tests/conf/run.sh) runs without the daemon: parse the file
 * (conf_parse_file), then make the crypto library context its crypto
 * section describes (crypto_lib_open), which loads the providers and
 * checks the property queries.  Prints "configuration OK" or every error
 * to stderr; exits 0 or 1 (2 on usage).
 */
#include "config.h"

#include <stdio.h>

#include "crypto/provider.h"
#include "daemon/conf.h"

static void
print_error(void *arg, const char *msg)
{
	fprintf(arg, "%s\n", msg);
}

int
main(int argc, char **argv)
{
	struct conf *c;
	struct crypto_lib *lib;

	if (argc != 2) {
		fprintf(stderr, "usage: conf_check FILE\n");
		return 2;
	}
	if ((c = conf_parse_file(argv[1], print_error, stderr)) == NULL)
		return 1;
	lib = crypto_lib_open(&c->crypto, c->file, print_error, stderr);
	conf_free(c);
	if (lib == NULL)
		return 1;
	crypto_lib_free(lib);
	fprintf(stderr, "configuration OK\n");
	return 0;
}
