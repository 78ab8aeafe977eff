#!/usr/bin/env bash
# Writes the tshark 4.0.17 expectations of tests/encapsulation_parity.rs beside the captures:
#
#   python3 tests/data/encapsulation/generate.py && bash tests/data/encapsulation/expected.sh
#
# <capture>.tcp.tsv      per TCP frame (single pass), same columns as tests/goldens/*/tcp.tsv:
#   tshark -n -o tcp.analyze_sequence_numbers:TRUE -o tcp.relative_sequence_numbers:TRUE \
#     -r CAPTURE -Y tcp -T fields -E header=y -E separator=/t -E occurrence=f \
#     -e frame.number -e tcp.stream -e tcp.seq -e tcp.ack -e tcp.len -e tcp.nxtseq \
#     -e tcp.window_size -e tcp.analysis.ack_rtt -e tcp.analysis.initial_rtt \
#     -e tcp.analysis.bytes_in_flight -e tcp.analysis.acks_frame \
#     -e tcp.analysis.duplicate_ack_num -e tcp.analysis.duplicate_ack_frame -e tcp.completeness \
#     -e tcp.analysis.<flag>...   (the flags folded into one comma-separated column)
# <capture>.tcp_2pass.tsv  the same with -2
# <capture>.filters      for each filter of filters.txt (index from 0, comments skipped):
#   tshark -n -r CAPTURE -Y FILTER -T fields -e frame.number
# written as "<index> <frame> <frame>...".
set -euo pipefail
export LC_ALL=C TZ=UTC
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
export WIRESHARK_CONFIG_DIR=$(mktemp -d)
trap 'rm -rf "$WIRESHARK_CONFIG_DIR"' EXIT
OPTS=(-n -o tcp.analyze_sequence_numbers:TRUE -o tcp.relative_sequence_numbers:TRUE)
flagnames="retransmission fast_retransmission spurious_retransmission out_of_order lost_segment ack_lost_segment duplicate_ack zero_window zero_window_probe zero_window_probe_ack window_full window_update keep_alive keep_alive_ack reused_ports"
targs=()
for f in frame.number tcp.stream tcp.seq tcp.ack tcp.len tcp.nxtseq tcp.window_size \
         tcp.analysis.ack_rtt tcp.analysis.initial_rtt tcp.analysis.bytes_in_flight \
         tcp.analysis.acks_frame tcp.analysis.duplicate_ack_num tcp.analysis.duplicate_ack_frame \
         tcp.completeness; do targs+=(-e "$f"); done
for f in $flagnames; do targs+=(-e "tcp.analysis.$f"); done
for cap in pppoe_qinq_tcp.pcap mpls_bad_ipv6.pcap; do
  for pass in 1 2; do
    two=() name=$cap.tcp.tsv
    if [ "$pass" = 2 ]; then two=(-2); name=$cap.tcp_2pass.tsv; fi
    tshark "${OPTS[@]}" "${two[@]}" -r "$cap" -Y tcp -T fields -E header=y \
        -E separator=/t -E occurrence=f "${targs[@]}" 2>/dev/null |
      awk -F'\t' -v OFS='\t' -v names="$flagnames" '
        BEGIN { n = split(names, nm, " ") }
        NR == 1 { s = $1; for (i = 2; i <= 14; i++) s = s OFS $i; print s, "flags"; next }
        { s = $1; for (i = 2; i <= 14; i++) s = s OFS $i
          fl = ""; for (i = 1; i <= n; i++) if ($(14 + i) != "") fl = fl (fl == "" ? "" : ",") nm[i]
          print s, fl }' >"$name"
  done
  : >"$cap.filters"
  i=0
  while IFS= read -r filter; do
    case "$filter" in ''|'#'*) continue ;; esac
    frames=$(tshark "${OPTS[@]}" -r "$cap" -Y "$filter" -T fields -e frame.number 2>/dev/null | tr '\n' ' ')
    echo "$i ${frames% }" | sed 's/ $//' >>"$cap.filters"
    i=$((i + 1))
  done <filters.txt
done
tshark -v | head -1 >tshark-version.txt
