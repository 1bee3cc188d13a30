src_ipsec_libipsec_la_SOURCES += src/ipsec/esp.c src/ipsec/esp.h

check_PROGRAMS += tests/unit/check_esp
TESTS += tests/unit/check_esp
tests_unit_check_esp_SOURCES = tests/unit/check_esp.c \
	tests/unit/esp_vectors.h src/ipsec/esp.c src/ipsec/tunnel.c \
	src/ipsec/ecn.c src/ipsec/knobs.c \
	src/ipsec/iphdr.c src/ipsec/replay.c src/ipsec/verdict.c \
	src/common/addr.c src/common/pbuf.c $(CRYPTO_SRCS)
tests_unit_check_esp_CFLAGS = $(TEST_CFLAGS)
tests_unit_check_esp_LDADD = $(TEST_LIBS)

# The vectors themselves, re-derived by an independent implementation.
TESTS += tests/unit/esp_vectors_selfcheck.sh
EXTRA_DIST += tests/unit/esp_vectors_selfcheck.sh \
	tests/unit/esp_vectors_selfcheck.py
