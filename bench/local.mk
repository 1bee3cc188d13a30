# ipsecd-bench: figures, never pass/fail (scripts/run.sh runs it).  The
# offload mode (-o) loads the test provider from the build tree.
noinst_PROGRAMS += bench/ipsecd-bench
bench_ipsecd_bench_SOURCES = bench/bench.c bench/bench_esp.c \
	bench/bench_esp.h bench/bench_tables.c bench/bench_tables.h \
	bench/bench_offload.c bench/bench_offload.h
bench_ipsecd_bench_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTEST_PROVIDER_PATH='"$(TEST_PROVIDER_PATH)"'
bench_ipsecd_bench_LDADD = $(CORE_LIBS)

# The tunnel benchmark (veth, ipsecd, wireguard-go; scripts/run.sh --bench).
dist_noinst_SCRIPTS += bench/tunnel.sh
