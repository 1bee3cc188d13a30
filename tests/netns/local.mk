# End-to-end tests of ipsecd and ipsecctl in network namespaces (issue 3):
# two namespaces joined by a veth pair, each running its own ipsecd
# (root and /dev/net/tun, else skipped; e2e_badconf.sh needs neither).
# They run the built ipsecd and ipsecctl, iperf3, tcpdump and ping, and
# scapy (/usr/bin/python3) through e2e_pcap.py and e2e_pfkey.py.
E2E_TESTS = tests/netns/e2e_esp4.sh tests/netns/e2e_esp6.sh \
	tests/netns/e2e_transport.sh tests/netns/e2e_udp.sh \
	tests/netns/e2e_bundle.sh tests/netns/e2e_multi.sh \
	tests/netns/e2e_replay.sh tests/netns/e2e_pmtu.sh \
	tests/netns/e2e_move.sh tests/netns/e2e_reload.sh \
	tests/netns/e2e_badconf.sh tests/netns/e2e_pfkey.sh \
	tests/netns/e2e_hold.sh
TESTS += $(E2E_TESTS)
EXTRA_DIST += $(E2E_TESTS) tests/netns/e2e_lib.sh tests/netns/e2e_pcap.py \
	tests/netns/e2e_pfkey.py
