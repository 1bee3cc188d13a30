# src/crypto: the algorithm table, ipsecd's OpenSSL library context
# (providers, resolution, policy, self-test), per-SA ciphers and the
# submit/complete stage.
CRYPTO_SRCS = src/crypto/alg.c src/crypto/crypto_conf.c \
	src/crypto/provider.c src/crypto/provload.c src/crypto/selftest.c \
	src/crypto/cipher.c src/crypto/submit.c src/common/secret.c
CRYPTO_HDRS = src/crypto/alg.h src/crypto/crypto_conf.h \
	src/crypto/provider.h src/crypto/lib_int.h src/crypto/cipher.h \
	src/crypto/cipher_int.h src/crypto/submit.h

src_crypto_libipsecd_crypto_la_SOURCES += src/crypto/alg.c \
	src/crypto/crypto_conf.c src/crypto/provider.c src/crypto/provload.c \
	src/crypto/selftest.c src/crypto/cipher.c src/crypto/submit.c \
	$(CRYPTO_HDRS)

check_PROGRAMS += tests/unit/check_crypto
TESTS += tests/unit/check_crypto
tests_unit_check_crypto_SOURCES = tests/unit/check_crypto.c \
	tests/unit/esp_vectors.h $(CRYPTO_SRCS)
tests_unit_check_crypto_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_crypto_LDADD = $(TEST_LIBS)
