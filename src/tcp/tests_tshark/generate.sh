#!/usr/bin/env bash
# Regenerates the tshark goldens of the TCP analysis unit tests (src/tcp/tests.rs): each test
# writes its segments as a pcap (TCP_TESTS_PCAP_DIR), and TShark 4.0.17 with -2 (the tests read
# the two-pass rows) prints the same fields as tests/goldens/generate.sh's tcp_2pass.tsv.
#
#   bash src/tcp/tests_tshark/generate.sh
set -euo pipefail
export LC_ALL=C TZ=UTC
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
PCAPS=$(mktemp -d)
CONF=$(mktemp -d)
trap 'rm -rf "$PCAPS" "$CONF"' EXIT
# The tests fail until their goldens exist; they write their pcaps first.
(cd "$REPO" && TCP_TESTS_PCAP_DIR=$PCAPS cargo test -q --lib tcp::tests >/dev/null 2>&1) || true
flagnames="retransmission fast_retransmission spurious_retransmission out_of_order lost_segment ack_lost_segment duplicate_ack zero_window zero_window_probe zero_window_probe_ack window_full window_update keep_alive keep_alive_ack reused_ports"
targs=()
for f in frame.number tcp.stream tcp.seq tcp.ack tcp.len tcp.nxtseq tcp.window_size \
         tcp.analysis.ack_rtt tcp.analysis.initial_rtt tcp.analysis.bytes_in_flight \
         tcp.analysis.acks_frame tcp.analysis.duplicate_ack_num tcp.analysis.duplicate_ack_frame \
         tcp.completeness; do targs+=(-e "$f"); done
for f in $flagnames; do targs+=(-e "tcp.analysis.$f"); done
rm -f "$HERE"/*.tsv
for pcap in "$PCAPS"/*.pcap; do
  name=$(basename "$pcap" .pcap)
  XDG_CONFIG_HOME=$CONF HOME=$CONF tshark -n -2 -r "$pcap" -Y tcp -T fields -E header=y \
      -E separator=/t -E occurrence=f \
      -o tcp.analyze_sequence_numbers:TRUE -o tcp.relative_sequence_numbers:TRUE \
      "${targs[@]}" 2>/dev/null |
    awk -F'\t' -v OFS='\t' -v names="$flagnames" '
      BEGIN { n = split(names, nm, " ") }
      NR == 1 { s = $1; for (i = 2; i <= 14; i++) s = s OFS $i; print s, "flags"; next }
      { s = $1; for (i = 2; i <= 14; i++) s = s OFS $i
        fl = ""; for (i = 1; i <= n; i++) if ($(14 + i) != "") fl = fl (fl == "" ? "" : ",") nm[i]
        print s, fl }' >"$HERE/$name.tsv"
done
ls "$HERE"/*.tsv | wc -l
