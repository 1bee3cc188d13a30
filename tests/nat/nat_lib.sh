# Shared by tests/nat/*.sh (sourced after tests/ike/ike_lib.sh): the
# three namespaces and the masquerading router.
#
#   +---- $a ----+        +-------------- $r --------------+        +---- $b ----+
#   | lo 10.1.0.1|        | masquerade on rb:              |        |lo 10.2.0.1 |
#   | va 10.9.1.2|--veth--| ra 10.9.1.1     rb 10.9.2.1    |--veth--|vb 10.9.2.2 |
#   +------------+        |  udp sport 4500 -> :PORT       |        +------------+
#                         |  conntrack udp timeouts 4 s    |
#                         +--------------------------------+

# nat_topology A R B: create the namespaces and links.
nat_topology() {
	local a=$1 r=$2 b=$3 l
	ike_ns "$a"
	ike_ns "$r"
	ike_ns "$b"
	n "$a" ip link add va type veth peer name ra netns "$r"
	n "$b" ip link add vb type veth peer name rb netns "$r"
	n "$a" ip addr add 10.9.1.2/24 dev va
	n "$r" ip addr add 10.9.1.1/24 dev ra
	n "$r" ip addr add 10.9.2.1/24 dev rb
	n "$b" ip addr add 10.9.2.2/24 dev vb
	n "$a" ip addr add 10.1.0.1/32 dev lo
	n "$b" ip addr add 10.2.0.1/32 dev lo
	for l in "$a va" "$r ra" "$r rb" "$b vb"; do
		set -- $l
		n "$1" ip link set "$2" up
	done
	n "$a" ip route add default via 10.9.1.1
	n "$r" sysctl -qw net.ipv4.ip_forward=1
	nat_rule "$r" 41000
	n "$r" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=4
	n "$r" sysctl -qw net.netfilter.nf_conntrack_udp_timeout_stream=4
}

# nat_rule R PORT: masquerade what leaves rb, UDP from 4500 to PORT.
nat_rule() {
	n "$1" nft -f - <<EOT
flush ruleset
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "rb" udp sport 4500 masquerade to :$2
		oifname "rb" masquerade
	}
}
EOT
}
