#!/usr/bin/env bash
# Makes a real two-point capture pair with known truth: a client and a server in their own
# network namespaces, joined by a router namespace that does what middleboxes do, captured at
# both ends at once. Needs root, iproute2, iptables (with the statistic, TCPMSS and DSCP
# targets), conntrack, tcpdump, curl and python3. Writes, into the directory given (default:
# this script's directory):
#   client.pcap  captured on the client's interface (10.1.0.2)
#   server.pcap  captured on the server's interface (10.2.0.2)
#   truth.json   what the router did, from its own counters and connection table
#
# The router (10.1.0.1 inside, 10.2.0.1 outside):
#   - NAT: MASQUERADE out of the server-side interface, so the server sees every client
#     connection as coming from 10.2.0.1, TCP and UDP from a random port in 20000-29999 (the
#     mapping conntrack chose is truth.json "nat");
#   - loss: drops every 7th forwarded packet from the client side and every 11th from the
#     server side (iptables statistic nth, deterministic; the exact counts are its counters);
#   - MSS clamp: every forwarded SYN's MSS is set to 1200 (TCPMSS --set-mss);
#   - DSCP: every packet towards the server gets DSCP 10 (AF11);
#   - delay: a token bucket (tbf, 2 Mbit/s) on the server-side interface queues bulk data
#     (this kernel has no netem, so the delay is queueing, not a fixed value);
#   - TTL: decremented by one by routing, as always (an expected rewrite).
# Traffic: 8 HTTP GETs of 32 KB over fresh TCP connections (curl, in sequence), 20 DNS-like
# UDP datagrams to port 5353 with replies, 5 pings.
set -euo pipefail
OUT=$(cd "${1:-$(dirname "$0")}" && pwd)
C=tlc-$$ R=tlr-$$ S=tls-$$
WORK=$(mktemp -d)
cleanup() {
  for ns in $C $R $S; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  for ns in $C $R $S; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
for ns in $C $R $S; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add c0 netns $C type veth peer name r0 netns $R
ip link add s0 netns $S type veth peer name r1 netns $R
ip -n $C addr add 10.1.0.2/24 dev c0 && ip -n $C link set c0 up
ip -n $R addr add 10.1.0.1/24 dev r0 && ip -n $R link set r0 up
ip -n $R addr add 10.2.0.1/24 dev r1 && ip -n $R link set r1 up
ip -n $S addr add 10.2.0.2/24 dev s0 && ip -n $S link set s0 up
ip -n $C route add default via 10.1.0.1
# No offload on the veths: the captures show the segments the wire carries.
for pair in "$C c0" "$R r0" "$R r1" "$S s0"; do
  set -- $pair
  ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
done
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
ipt() { ip netns exec $R iptables "$@"; }
# TCP and UDP get a port from 20000-29999 at random (a port-rewriting NAT), ICMP its id.
ipt -t nat -A POSTROUTING -o r1 -p tcp -j MASQUERADE --to-ports 20000-29999 --random
ipt -t nat -A POSTROUTING -o r1 -p udp -j MASQUERADE --to-ports 20000-29999 --random
ipt -t nat -A POSTROUTING -o r1 -j MASQUERADE
ipt -t mangle -A FORWARD -p tcp --tcp-flags SYN SYN -j TCPMSS --set-mss 1200
ipt -t mangle -A FORWARD -i r0 -o r1 -j DSCP --set-dscp 10
ipt -A FORWARD -i r0 -o r1 -m statistic --mode nth --every 7 --packet 6 -j DROP
ipt -A FORWARD -i r1 -o r0 -m statistic --mode nth --every 11 --packet 10 -j DROP
ip netns exec $R tc qdisc add dev r1 root tbf rate 2mbit burst 16kbit latency 200ms

# The server: 32 KB over HTTP, and a UDP echo on 5353.
head -c 32768 /dev/urandom >"$WORK/blob"
ip netns exec $S python3 -m http.server 8080 --bind 10.2.0.2 --directory "$WORK" >/dev/null 2>&1 &
ip netns exec $S python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.2.0.2", 5353))
while True:
    data, peer = s.recvfrom(2048); s.sendto(b"reply:" + data, peer)
' &
sleep 1
ip netns exec $C tcpdump -i c0 -U -s 0 -w "$WORK/client.pcap" 2>/dev/null &
ip netns exec $S tcpdump -i s0 -U -s 0 -w "$WORK/server.pcap" 2>/dev/null &
sleep 1
ip netns exec $C ping -c 5 -i 0.2 10.2.0.2 >/dev/null || true
for i in $(seq 1 8); do
  ip netns exec $C curl -s -o /dev/null --max-time 20 http://10.2.0.2:8080/blob || true
done
ip netns exec $C python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
for i in range(20):
    s.sendto(b"query %02d" % i, ("10.2.0.2", 5353))
    try: s.recvfrom(2048)
    except socket.timeout: pass
'
sleep 1
# Truth, from the router itself, before anything is torn down.
counters=$(ipt -L FORWARD -v -n -x | awk '$3 == "DROP" {print $1}' | paste -sd' ')
nat=$(ip netns exec $R conntrack -L 2>/dev/null | grep -E '^(tcp|udp|icmp)' || true)
ip netns pids $C | xargs -r kill -INT 2>/dev/null || true
ip netns pids $S | xargs -r kill -INT 2>/dev/null || true
sleep 1
cp "$WORK/client.pcap" "$WORK/server.pcap" "$OUT/"
python3 - "$OUT/truth.json" "$counters" "$nat" <<'PY'
import json, re, sys
path, counters, nat = sys.argv[1], sys.argv[2].split(), sys.argv[3]
entries = []
for line in nat.splitlines():
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    # conntrack prints the original tuple first, then the reply tuple (key=value repeated).
    values = re.findall(r"(src|dst|sport|dport|id)=(\S+)", line)
    proto = line.split()[0]
    orig = dict(values[: len(values) // 2])
    reply = dict(values[len(values) // 2 :])
    inside = f"{orig['src']}:{orig.get('sport', orig.get('id'))}"
    outside = f"{reply['dst']}:{reply.get('dport', reply.get('id'))}"
    entries.append({"proto": proto, "inside": inside, "outside": outside})
truth = {
    "client": "10.1.0.2", "server": "10.2.0.2", "router_outside": "10.2.0.1",
    "dropped_client_to_server": int(counters[0]), "dropped_server_to_client": int(counters[1]),
    "mss_clamped_to": 1200, "dscp_towards_server": 10, "ttl_decrement": 1,
    "nat": sorted(entries, key=lambda e: (e["proto"], e["inside"])),
}
json.dump(truth, open(path, "w"), indent=1)
PY
echo "wrote $OUT/client.pcap $OUT/server.pcap $OUT/truth.json"
