src_crypto_libipsecd_crypto_la_SOURCES += src/crypto/alg.c src/crypto/alg.h \
	src/crypto/provider.c src/crypto/provider.h \
	src/crypto/cipher.c src/crypto/cipher.h \
	src/crypto/submit.c src/crypto/submit.h

CRYPTO_SRCS = src/crypto/alg.c src/crypto/provider.c src/crypto/cipher.c \
	src/crypto/submit.c src/common/secret.c

check_PROGRAMS += tests/unit/check_crypto
TESTS += tests/unit/check_crypto
tests_unit_check_crypto_SOURCES = tests/unit/check_crypto.c \
	tests/unit/esp_vectors.h $(CRYPTO_SRCS)
tests_unit_check_crypto_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_crypto_LDADD = $(TEST_LIBS)
