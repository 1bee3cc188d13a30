# ipsecd-bench: figures, never pass/fail (scripts/run.sh runs it).
noinst_PROGRAMS += bench/ipsecd-bench
bench_ipsecd_bench_SOURCES = bench/bench.c bench/bench_esp.c \
	bench/bench_esp.h bench/bench_tables.c bench/bench_tables.h
bench_ipsecd_bench_LDADD = $(CORE_LIBS)
