# src/crypto: the algorithm table, ipsecd's OpenSSL library context
# (providers, resolution, policy, self-test), per-SA ciphers and the
# submit/complete stage.
CRYPTO_SRCS = src/crypto/alg.c src/crypto/crypto_conf.c \
	src/crypto/provider.c src/crypto/provload.c src/crypto/provinfo.c \
	src/crypto/selftest.c src/crypto/cipher.c src/crypto/submit.c \
	src/common/secret.c
CRYPTO_HDRS = src/crypto/alg.h src/crypto/crypto_conf.h \
	src/crypto/provider.h src/crypto/lib_int.h src/crypto/cipher.h \
	src/crypto/cipher_int.h src/crypto/submit.h

src_crypto_libipsecd_crypto_la_SOURCES += src/crypto/alg.c \
	src/crypto/crypto_conf.c src/crypto/provider.c src/crypto/provload.c \
	src/crypto/provinfo.c src/crypto/selftest.c src/crypto/cipher.c \
	src/crypto/submit.c $(CRYPTO_HDRS)

check_PROGRAMS += tests/unit/check_crypto
TESTS += tests/unit/check_crypto
tests_unit_check_crypto_SOURCES = tests/unit/check_crypto.c \
	tests/unit/esp_vectors.h $(CRYPTO_SRCS)
tests_unit_check_crypto_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_crypto_LDADD = $(TEST_LIBS)

# With the test provider (tests/provider/local.mk): loading, policy,
# capability listing, self-test, and ESP through it; then the submit
# pipeline with it.
TEST_PROVIDER_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTEST_PROVIDER_PATH='"$(TEST_PROVIDER_PATH)"'
CRYPTO_ESP_SRCS = src/ipsec/esp.c src/ipsec/tunnel.c src/ipsec/ecn.c \
	src/ipsec/knobs.c src/ipsec/iphdr.c src/ipsec/replay.c \
	src/ipsec/verdict.c src/common/addr.c src/common/pbuf.c \
	$(CRYPTO_SRCS)

check_PROGRAMS += tests/unit/check_provider
TESTS += tests/unit/check_provider
tests_unit_check_provider_SOURCES = tests/unit/check_provider.c \
	tests/unit/check_provider.h $(CRYPTO_ESP_SRCS)
tests_unit_check_provider_CPPFLAGS = $(TEST_PROVIDER_CPPFLAGS)
tests_unit_check_provider_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_provider_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/unit/check_submit
TESTS += tests/unit/check_submit
tests_unit_check_submit_SOURCES = tests/unit/check_submit.c \
	tests/unit/check_provider.h $(CRYPTO_ESP_SRCS)
tests_unit_check_submit_CPPFLAGS = $(TEST_PROVIDER_CPPFLAGS)
tests_unit_check_submit_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_submit_LDADD = $(TEST_LIBS)
