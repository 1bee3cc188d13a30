# Key managers driving ipsecd through libipsecd-pfkey.so (src/shim/).
#   shim_io      the shim in a live process, against fake ipsecd sockets
#                (no root needed)
SHIM_LIB_PATH = $(abs_top_builddir)/src/shim/.libs/libipsecd-pfkey.so

check_PROGRAMS += tests/ike/shim_io
TESTS += tests/ike/shim_io
tests_ike_shim_io_SOURCES = tests/ike/shim_io.c
tests_ike_shim_io_CPPFLAGS = $(AM_CPPFLAGS) -DSHIM_LIB='"$(SHIM_LIB_PATH)"'
tests_ike_shim_io_CFLAGS = $(TEST_CFLAGS) -pthread
tests_ike_shim_io_LDADD = $(CHECK_LIBS) -lpthread
tests_ike_shim_io_DEPENDENCIES = src/shim/libipsecd-pfkey.la
