# Shared by tests/netns/crypto_*.sh (sourced after e2e_lib.sh): the test
# provider (tests/provider/ipsecdtest.c) in both sides' ipsecd.conf, and
# the ESP sequence-number check of a capture.

# The test provider, built as a module in the build tree.
CRYPTO_PROVIDER=$E2E_BUILD/tests/provider/.libs/ipsecdtest.so

crypto_require() {
	[[ -f $CRYPTO_PROVIDER ]] ||
		{ echo "no $CRYPTO_PROVIDER: run from the build directory" >&2; exit 99; }
}

# Both sides' ipsecd.conf from e2e_pair's parts, with the test provider
# at LATENCY microseconds per operation, failing after FAIL operations
# (0: never), under offload POLICY:
# crypto_pair_conf POLICY LATENCY FAIL
crypto_pair_conf() {
	{
		echo "crypto {"
		echo "	provider ipsecdtest {"
		echo "		module \"$CRYPTO_PROVIDER\""
		echo "		latency-us = $2"
		(($3 > 0)) && echo "		fail-after = $3"
		echo "	}"
		echo "	offload $1"
		echo "}"
	} | e2e_pair_conf
}

# The ESP packets of capture NAME: at least MIN of them, and per SPI the
# sequence numbers strictly increasing in the order they crossed the
# veth, i.e. no packet overtook an earlier one of its SA.
# crypto_seq_check NAME MIN
crypto_seq_check() {
	local out
	out=$(tcpdump -r "$E2E_WORK/$1.pcap" -n esp 2>/dev/null | awk -v min="$2" '
		function hex(s,    i, v) {
			v = 0
			for (i = 1; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v
		}
		match($0, /ESP\(spi=0x[0-9a-f]+,seq=0x[0-9a-f]+\)/) {
			f = substr($0, RSTART + 8, RLENGTH - 9)
			split(f, kv, ",seq=")
			spi = kv[1]
			seq = hex(substr(kv[2], 3))
			n++
			count[spi]++
			if (spi in last && seq <= last[spi]) {
				bad++
				if (bad <= 5)
					printf "spi %s: seq %d after %d\n", spi, seq, last[spi]
			}
			last[spi] = seq
		}
		END {
			for (s in count)
				printf "spi %s: %d packets, last seq %d\n", s, count[s], last[s]
			if (n < min) { printf "only %d ESP packets\n", n; exit 1 }
			if (bad > 0) { printf "%d out of order\n", bad; exit 1 }
		}') || fail "ESP sequence numbers in order on the veth" "$out"
	echo "$out" >&2
}
