# Interoperability with independent implementations (scapy's ESP).
check_PROGRAMS += tests/interop/esptool
tests_interop_esptool_SOURCES = tests/interop/esptool.c
tests_interop_esptool_LDADD = $(CORE_LIBS)

TESTS += tests/interop/scapy_interop.sh
TESTS_ENVIRONMENT = ESPTOOL=$(abs_top_builddir)/tests/interop/esptool; \
	export ESPTOOL;
EXTRA_DIST += tests/interop/scapy_interop.sh tests/interop/scapy_check.py
