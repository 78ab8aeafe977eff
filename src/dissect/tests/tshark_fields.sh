#!/usr/bin/env bash
# Regenerates tshark_fields.tsv and tshark_positions.tsv (beside this script): for every frame
# of every capture the dissector tests name, the first occurrence of each field below as
# TShark 4.0.17 prints it (-T fields), and where it lies in the frame (-T pdml pos and size).
# The tests `tshark_field_values_agree` and `tshark_field_positions_agree` (mod.rs) compare the
# details tree with them, so the values and byte ranges the hand-written tests assert are
# backed by tshark, not by tracelens's own output. Needs tshark and python3.
#
#   bash src/dissect/tests/tshark_fields.sh
#
# Corpus: ${TRACELENS_CAPTURES:-<repo>/../shared/captures}. Name resolution off, empty profile.
set -euo pipefail
export LC_ALL=C TZ=UTC
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
CAPTURES=${TRACELENS_CAPTURES:-$REPO/../shared/captures}
FIELDS=(
  eth.type eth.padding ieee8021ad.id ieee8021ah.etype vlan.id vlan.etype mpls.label sll.pkttype sll.hatype sll.etype null.family
  ip.version ip.len ip.id ip.flags ip.ttl ip.proto ip.checksum ip.src ip.dst
  ipv6.plen ipv6.nxt ipv6.hlim ipv6.src ipv6.dst
  tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.hdr_len tcp.flags tcp.window_size_value
  tcp.checksum tcp.urgent_pointer tcp.len tcp.options.mss_val tcp.options.wscale.shift
  udp.srcport udp.dstport udp.length udp.checksum
  icmp.type icmp.code icmp.checksum icmp.ident icmp.seq icmpv6.type icmpv6.code icmpv6.checksum
  gre.proto gre.key.call_id vxlan.vni arp.opcode arp.src.proto_ipv4 arp.dst.proto_ipv4
  dns.id dns.count.queries dns.count.answers dns.qry.name dns.qry.type
  http.request.method http.request.uri http.host http.response.code
  tls.record.content_type tls.handshake.type tls.handshake.extensions_server_name
)
OUT=${DISSECT_GOLDENS_OUT:-$HERE}
# The captures the tests in this folder name (frame("...", n)), sorted; or, to check other
# captures (output not committed), a list in TRACELENS_DISSECT_CAPTURES (one path a line).
captures() {
  if [ -n "${TRACELENS_DISSECT_CAPTURES:-}" ]; then
    printf '%s\n' "$TRACELENS_DISSECT_CAPTURES"
  else
    grep -ohP 'frame\(\s*"\K[^"]*' "$HERE"/*.rs | sort -u
  fi
}
export TSHARK_CONFIG=$(mktemp -d)
trap 'rm -rf "$TSHARK_CONFIG"' EXIT
args=()
for f in "${FIELDS[@]}"; do args+=(-e "$f"); done
{
  printf 'file\tframe'; printf '\t%s' "${FIELDS[@]}"; printf '\n'
  captures | while read -r capture; do
    # A damaged capture makes tshark exit non-zero after printing the frames before the damage.
    { XDG_CONFIG_HOME=$TSHARK_CONFIG HOME=$TSHARK_CONFIG \
      tshark -n -r "$CAPTURES/$capture" -T fields -E separator=/t -E occurrence=f \
      -e frame.number "${args[@]}" 2>/dev/null || true; } | sed "s|^|$capture\t|"
  done
} > "$OUT/tshark_fields.tsv"

# Where tshark puts the same fields (first occurrence per frame): pos and size from -T pdml.
{
  printf 'file\tframe\tfield\tpos\tsize\n'
  captures | while read -r capture; do
    { XDG_CONFIG_HOME=$TSHARK_CONFIG HOME=$TSHARK_CONFIG \
      tshark -n -r "$CAPTURES/$capture" -T pdml 2>/dev/null || true; } |
      python3 -c '
import sys, xml.etree.ElementTree as ET
capture, wanted = sys.argv[1], set(sys.argv[2:])
for _, packet in ET.iterparse(sys.stdin, events=("end",)):
    if packet.tag != "packet":
        continue
    number, seen = None, set()
    for f in packet.iter("field"):
        name = f.get("name")
        if name == "frame.number":
            number = f.get("show")
        elif name in wanted and name not in seen:
            seen.add(name)
            print("\t".join([capture, number, name, f.get("pos"), f.get("size")]))
    packet.clear()
' "$capture" "${FIELDS[@]}"
  done
} > "$OUT/tshark_positions.tsv"

# The same field values for every capture of the corpus MANIFEST (gzip'd: 3.6 MB of text), for
# `tshark_field_values_agree_over_the_corpus`.
if [ -z "${TRACELENS_DISSECT_CAPTURES:-}" ]; then
  TRACELENS_DISSECT_CAPTURES=$(awk '/^\| path under captures\//{t=1; next} /^## /{t=0} t' \
      "$CAPTURES/MANIFEST.md" | grep '^| `' | cut -d'`' -f2) \
    DISSECT_GOLDENS_OUT=$TSHARK_CONFIG bash "${BASH_SOURCE[0]}" 2>/dev/null || true
  gzip -n -9 -c "$TSHARK_CONFIG/tshark_fields.tsv" > "$OUT/tshark_fields_corpus.tsv.gz"
fi
