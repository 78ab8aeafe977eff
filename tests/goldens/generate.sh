#!/usr/bin/env bash
# Regenerates the tshark goldens under tests/goldens/ from the capture corpus.
#
#   bash tests/goldens/generate.sh        everything
#   bash tests/goldens/generate.sh io     only the IO statistics step (tests/goldens/io/; reads the
#                                         per-capture frames.tsv goldens for each capture's duration)
#   bash tests/goldens/follow.sh          the follow-stream goldens (tests/goldens/follow/)
#
# Needs: tshark and capinfos 4.0.x (Debian bookworm: 4.0.17) built with Lua, bash, awk, sort,
# xargs. The corpus is read from ${TRACELENS_CAPTURES:-<repo>/../shared/captures}; the list of
# captures is the table in its MANIFEST.md. Output (see tests/goldens/README.md):
#   tests/goldens/<capture path>/info.json, frames.tsv, frames_2pass.tsv, tcp.tsv, tcp_2pass.tsv,
#     udp.tsv, conv_<t>.txt/.json, endpoints_<t>.txt/.json   (t = eth ip ipv6 tcp udp)
#   tests/goldens/filters/NN.txt (+ per-capture view <capture with / as _>.txt)
#   tests/goldens/filters_2pass/ (same, with tshark -2)
# for the display filters of tests/filters/filters.txt.
#   tests/goldens/io/<setting>/<capture path with / as _>.txt   `tshark -q -z io,stat,…` stdout for
#     each setting of IO_SETTINGS below (tests/goldens/io/settings.tsv lists them); a capture whose
#     table would have more than IO_MAX_ROWS rows for a setting is left out (io/skipped.tsv).
#
# Everything runs with LC_ALL=C, TZ=UTC, name resolution off (-n), an empty personal
# configuration directory (so nobody's ~/.config/wireshark preferences leak in) and the default
# TCP preferences, passed explicitly: tcp.analyze_sequence_numbers:TRUE,
# tcp.relative_sequence_numbers:TRUE (tcp.calculate_timestamps etc. stay at their defaults).
#
# Environment:
#   TRACELENS_CAPTURES   corpus directory (default <repo>/../shared/captures)
#   GOLDENS_JOBS         parallel jobs (default 2)
#   GOLDENS_FILTER_MODE  "lua" (default): one tshark run per capture evaluates every filter,
#                        each filter being a Lua Listener (a tap with that display filter), i.e.
#                        tshark's own display-filter engine on the same dissection tree.
#                        "direct": one `tshark -r CAPTURE -Y FILTER` run per filter and capture
#                        (≈ 165 x 80 x 2 runs; slow, used to cross-check the Lua mode; both modes
#                        write identical files).
#   GOLDENS_OUT          output directory (default: tests/goldens, i.e. this script's directory);
#                        e.g. to cross-check the modes:
#                          GOLDENS_OUT=/tmp/g GOLDENS_FILTER_MODE=direct bash tests/goldens/generate.sh
#                          diff -r -x generate.sh -x README.md /tmp/g tests/goldens
#
# WTAP encapsulation -> LINKTYPE mapping used for info.json "link_types" (tshark prints the
# per-frame WTAP_ENCAP_* number as frame.encap_type; wiretap/pcap-common.c maps them to and from
# LINKTYPE_* values). Only encapsulations seen in this corpus are listed; any other value makes
# this script stop so that the table gets extended deliberately:
#   WTAP 1   ETHERNET               -> LINKTYPE_ETHERNET    1
#   WTAP 3   SLIP                   -> LINKTYPE_SLIP        8
#   WTAP 7   RAW_IP                 -> LINKTYPE_RAW       101
#   WTAP 15  NULL (BSD loopback)    -> LINKTYPE_NULL        0
#   WTAP 25  SLL (Linux cooked v1)  -> LINKTYPE_LINUX_SLL 113
#   WTAP 129 RAW_IP4                -> LINKTYPE_IPV4      228
#   WTAP 130 RAW_IP6                -> LINKTYPE_IPV6      229
#   WTAP 210 SLL2 (Linux cooked v2) -> LINKTYPE_LINUX_SLL2 276
#   WTAP 188 NETMON_HEADER: a Network Monitor frame that carries a comment/process record; tshark
#            wraps the real frame. Mapped to the LINKTYPE of the wrapped frame, taken from the
#            protocol that follows "netmon_header" in frame.protocols ("eth" -> 1).
#   WTAP 187 NETMON_NET_NETEVENT (Netmon ETW/NetEvent frame, media type 0xFFE0): no LINKTYPE
#            exists; not listed in link_types (visible in wtap_encap_frames).
#   (none)   records without an encapsulation (pcapng Custom Blocks, which tshark 4.0 delivers as
#            frames): not listed in link_types (visible in wtap_encap_frames as "none").
set -euo pipefail
export LC_ALL=C TZ=UTC

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${GOLDENS_OUT:-$HERE}
FILTERS_TXT=$REPO/tests/filters/filters.txt

# Common tshark options. Column titles are chosen so that the column fields are called
# _ws.col.def_src (%s = COL_DEF_SRC), _ws.col.def_dst (%d) and _ws.col.Protocol (%p).
TSHARK_OPTS=(-n
  -o tcp.analyze_sequence_numbers:TRUE
  -o tcp.relative_sequence_numbers:TRUE
  -o 'gui.column.format:"def_src","%s","def_dst","%d","Protocol","%p"')

# tshark run from the corpus directory (so messages name the capture by its relative path). For a
# capture that tshark read without error (TS_MUST_SUCCEED=1) any failure is fatal; otherwise
# (captures that end in an error, direct filter mode) the exit status is ignored.
ts() {
  local r=0
  (cd "$CAPS" && tshark "${TSHARK_OPTS[@]}" "$@") || r=$?
  if [ "$r" -ne 0 ] && [ "${TS_MUST_SUCCEED:-0}" = 1 ]; then
    echo "generate.sh: tshark exited with $r: tshark $*" >&2
    exit 1
  fi
  return 0
}

# "Running as user "root" ..." is tshark's warning when run as root; it is not part of any output.
strip_root_warning() { sed '/^Running as user ".*" and group ".*"\. This could be dangerous\.$/d'; }

# JSON string literal of stdin (escapes \ " and control characters; newline-joined lines).
json_string() {
  awk 'BEGIN { ORS = "" ; printf "\"" }
       { if (NR > 1) printf "\\n"
         s = $0; out = ""
         for (i = 1; i <= length(s); i++) {
           c = substr(s, i, 1)
           if (c == "\\") out = out "\\\\"
           else if (c == "\"") out = out "\\\""
           else if (c == "\t") out = out "\\t"
           else if (c == "\r") out = out "\\r"
           else if (c < " ") out = out sprintf("\\u%04x", index("\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037", c))
           else out = out c
         }
         printf "%s", out }
       END { printf "\"" }'
}

# ---------------------------------------------------------------------------------------------
# Lua script used by the filter stage: one Listener (tap on "frame" with a display filter) per
# filter; writes one line per filter with the matching frame numbers (comma separated).
write_filter_lua() {
  cat >"$1" <<'LUA'
local infile = assert(os.getenv("GOLDENS_FILTER_LIST"))
local outfile = assert(os.getenv("GOLDENS_FILTER_OUT"))
local filters = {}
for line in io.lines(infile) do filters[#filters + 1] = line end
local hits, listeners = {}, {}
for i, f in ipairs(filters) do
  hits[i] = {}
  local ok, l = pcall(Listener.new, nil, f)
  if not ok then
    local fh = assert(io.open(outfile .. ".error", "w"))
    fh:write("filter ", i - 1, " rejected: ", tostring(l), "\n")
    fh:close()
    error("filter rejected: " .. f)
  end
  local h = hits[i]
  l.packet = function(pinfo) h[#h + 1] = pinfo.number end
  listeners[i] = l
end
local written = false
local function write_out()
  if written then return end
  written = true
  local fh = assert(io.open(outfile, "w"))
  for i = 1, #filters do fh:write(table.concat(hits[i], ","), "\n") end
  fh:close()
end
if #listeners > 0 then listeners[#listeners].draw = write_out end
LUA
}

# ---------------------------------------------------------------------------------------------
# Per-capture worker: bash generate.sh __capture <relative path>
do_capture() {
  local rel=$1
  local dir=$OUT/$rel
  local tmp
  tmp=$(mktemp -d "$WORK/cap.XXXXXX")
  mkdir -p "$dir"

  # 1. frames (single pass) + the columns needed for info.json -------------------------------
  local rc=0
  (cd "$CAPS" && tshark "${TSHARK_OPTS[@]}" -r "$rel" -T fields -E header=y -E separator=/t \
      -E occurrence=f -e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len \
      -e frame.interface_id -e _ws.col.def_src -e _ws.col.def_dst -e _ws.col.Protocol \
      -e frame.encap_type -e frame.protocols) >"$tmp/frames_all" 2>"$tmp/frames_err" || rc=$?
  strip_root_warning <"$tmp/frames_err" | sed -e '/^[[:space:]]*$/d' >"$tmp/error"
  local nframes=0
  if [ -s "$tmp/frames_all" ]; then
    nframes=$(($(wc -l <"$tmp/frames_all") - 1))
  fi

  local cap_pk=null crc=0
  (cd "$CAPS" && capinfos -M -c "$rel") >"$tmp/capinfos" 2>/dev/null || crc=$?
  if [ "$crc" -eq 0 ]; then
    cap_pk=$(awk -F': *' '/^Number of packets:/ { print $2 }' "$tmp/capinfos")
    [ -n "$cap_pk" ] || cap_pk=null
  fi

  # info.json
  {
    awk -F'\t' -v nframes="$nframes" -v rel="$rel" '
      function linktype(encap, protos,   p) {
        if (encap == "1") return 1
        if (encap == "3") return 8
        if (encap == "7") return 101
        if (encap == "15") return 0
        if (encap == "25") return 113
        if (encap == "129") return 228
        if (encap == "130") return 229
        if (encap == "210") return 276
        if (encap == "188") {
          split(protos, p, ":")
          if (p[1] == "netmon_header" && p[2] == "eth") return 1
          printf "%s: NETMON_HEADER frame wrapping unknown protocol %s\n", rel, protos > "/dev/stderr"
          fatal = 1; exit 3
        }
        if (encap == "187" || encap == "") return ""
        printf "%s: unknown WTAP encapsulation %s; extend the table in generate.sh\n", rel, encap > "/dev/stderr"
        fatal = 1; exit 3
      }
      NR == 1 { next }
      {
        t = $2
        if (t != "") { if (first == "") first = t; last = t } else untimed = untimed (untimed == "" ? "" : ", ") $1
        e = ($9 == "" ? "none" : $9)
        enc[e]++
        lt = linktype($9, $10)
        if (lt != "") lts[lt] = 1
      }
      END {
        if (fatal) exit 3
        printf "{\n  \"frames\": %d,\n", nframes
        printf "  \"first_time\": %s,\n", (first == "" ? "null" : "\"" first "\"")
        printf "  \"last_time\": %s,\n", (last == "" ? "null" : "\"" last "\"")
        s = ""
        for (v = 0; v <= 65535; v++) if (v in lts) s = s (s == "" ? "" : ", ") v
        printf "  \"link_types\": [%s],\n", s
        printf "  \"frames_without_time\": [%s],\n", untimed
        s = ""
        # WTAP numbers in numeric order, then "none"
        for (v = 0; v <= 1000; v++) if ((v "") in enc) s = s (s == "" ? "" : ", ") "\"" v "\": " enc[v ""]
        if ("none" in enc) s = s (s == "" ? "" : ", ") "\"none\": " enc["none"]
        printf "  \"wtap_encap_frames\": {%s},\n", s
      }' "$tmp/frames_all"
    printf '  "error": '
    if [ -s "$tmp/error" ]; then json_string <"$tmp/error"; else printf 'null'; fi
    printf ',\n  "frames_before_error": %d,\n' "$nframes"
    printf '  "tshark_exit_status": %d,\n' "$rc"
    printf '  "capinfos_packets": %s\n}\n' "$cap_pk"
  } >"$dir/info.json"

  # Unreadable file (tshark could not open it): info.json only.
  if [ "$rc" -ne 0 ] && [ "$nframes" -eq 0 ]; then
    rm -rf "$tmp"
    return 0
  fi
  echo "$rel" >"$WORK/readable/$(printf '%s' "$rel" | tr / _)"
  if [ "$rc" -eq 0 ]; then TS_MUST_SUCCEED=1; fi

  cut -f1-8 "$tmp/frames_all" >"$dir/frames.tsv"
  ts -2 -r "$rel" -T fields -E header=y -E separator=/t \
      -E occurrence=f -e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len \
      -e frame.interface_id -e _ws.col.def_src -e _ws.col.def_dst -e _ws.col.Protocol \
      2>/dev/null >"$dir/frames_2pass.tsv"

  # 2. tcp.tsv / udp.tsv ------------------------------------------------------------------------
  local has_tcp has_udp
  has_tcp=$(awk -F'\t' 'NR > 1 && (":" $10 ":") ~ /:tcp:/ { print "y"; exit }' "$tmp/frames_all")
  has_udp=$(awk -F'\t' 'NR > 1 && (":" $10 ":") ~ /:udp:/ { print "y"; exit }' "$tmp/frames_all")
  local flagnames="retransmission fast_retransmission spurious_retransmission out_of_order lost_segment ack_lost_segment duplicate_ack zero_window zero_window_probe zero_window_probe_ack window_full window_update keep_alive keep_alive_ack reused_ports"
  if [ -n "$has_tcp" ]; then
    local targs=() f
    for f in frame.number tcp.stream tcp.seq tcp.ack tcp.len tcp.nxtseq tcp.window_size \
             tcp.analysis.ack_rtt tcp.analysis.initial_rtt tcp.analysis.bytes_in_flight \
             tcp.analysis.acks_frame tcp.analysis.duplicate_ack_num tcp.analysis.duplicate_ack_frame \
             tcp.completeness; do targs+=(-e "$f"); done
    for f in $flagnames; do targs+=(-e "tcp.analysis.$f"); done
    local pass
    for pass in 1 2; do
      local two=() name=tcp.tsv
      if [ "$pass" = 2 ]; then two=(-2); name=tcp_2pass.tsv; fi
      ts "${two[@]}" -r "$rel" -Y tcp -T fields -E header=y \
          -E separator=/t -E occurrence=f "${targs[@]}" 2>/dev/null |
        awk -F'\t' -v OFS='\t' -v names="$flagnames" '
          BEGIN { n = split(names, nm, " ") }
          NR == 1 { s = $1; for (i = 2; i <= 14; i++) s = s OFS $i; print s, "flags"; next }
          { s = $1; for (i = 2; i <= 14; i++) s = s OFS $i
            fl = ""; for (i = 1; i <= n; i++) if ($(14 + i) != "") fl = fl (fl == "" ? "" : ",") nm[i]
            print s, fl }' >"$dir/$name"
    done
  fi
  if [ -n "$has_udp" ]; then
    ts -r "$rel" -Y udp -T fields -E header=y -E separator=/t \
        -E occurrence=f -e frame.number -e udp.stream -e udp.srcport -e udp.dstport -e udp.length \
        2>/dev/null >"$dir/udp.tsv"
  fi

  # 3. conversations and endpoints ------------------------------------------------------------
  local zargs=() t
  for t in eth ip ipv6 tcp udp; do zargs+=(-z "conv,$t" -z "endpoints,$t"); done
  ts -q -r "$rel" "${zargs[@]}" 2>/dev/null >"$tmp/z.txt"
  # Split the stacked tables (tshark prints them in reverse order of the -z options).
  awk -v dir="$tmp" '
    $0 == "================================================================================" {
      if (!intable) { intable = 1; buf = $0 "\n"; title = ""; rows = 0; next }
      buf = buf $0 "\n"; intable = 0
      name = ""
      if (title == "Ethernet Conversations") name = "conv_eth"
      else if (title == "IPv4 Conversations") name = "conv_ip"
      else if (title == "IPv6 Conversations") name = "conv_ipv6"
      else if (title == "TCP Conversations") name = "conv_tcp"
      else if (title == "UDP Conversations") name = "conv_udp"
      else if (title == "Ethernet Endpoints") name = "endpoints_eth"
      else if (title == "IPv4 Endpoints") name = "endpoints_ip"
      else if (title == "IPv6 Endpoints") name = "endpoints_ipv6"
      else if (title == "TCP Endpoints") name = "endpoints_tcp"
      else if (title == "UDP Endpoints") name = "endpoints_udp"
      else { print "unknown table title: " title > "/dev/stderr"; exit 3 }
      if (rows > 0) { f = dir "/" name ".txt"; printf "%s", buf > f; close(f) }
      next
    }
    intable {
      buf = buf $0 "\n"
      if (title == "") title = $0
      else if ($0 !~ /^Filter:/ && index($0, "|") == 0 && $0 != "") rows++
    }' "$tmp/z.txt"

  # Per-layer records used to compute exact conversation bytes where tshark prints rounded
  # sizes ("176 kB"): one line per tapped layer: kind, src, sport, dst, dport, stream, frame.len.
  # Layers after "icmp"/"icmpv6" in frame.protocols (headers quoted inside ICMP errors) are not
  # tapped by tshark's conversation taps and are skipped here too.
  ts -r "$rel" -T fields -E separator=/t -E occurrence=a \
      -E aggregator=, -e frame.number -e frame.len -e frame.protocols -e eth.src -e eth.dst \
      -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport -e tcp.stream \
      -e udp.srcport -e udp.dstport -e udp.stream -e ipv6.fraghdr.offset -e ipv6.fraghdr.more \
      -e ipv6.reassembled.length 2>/dev/null |
    awk -F'\t' -v OFS='\t' '
      {
        n = split($3, P, ":")
        ne = split($4, ES, ","); split($5, ED, ",")
        ni = split($6, IS, ","); split($7, ID, ",")
        n6 = split($8, SS, ","); split($9, SD, ",")
        nt = split($10, TS, ","); split($11, TD, ","); split($12, TT, ",")
        nu = split($13, US, ","); split($14, UD, ","); split($15, UT, ",")
        # tshark 4.0 does not tap an IPv6 header whose fragment header marks a fragment that is
        # not reassembled in this frame (offset != 0 or more-fragments set, no reassembly here).
        # Only decidable when the frame has a single IPv6 layer.
        v6frag = ($16 != "" && ($16 != "0" || $17 == "1") && $18 == "")
        if ($16 != "" && n6 != 1) v6frag = -1
        ce = ci = c6 = ct = cu = 0; na = ""; nb = ""; err = 0
        oe = oi = o6 = ot = ou = ""
        for (i = 1; i <= n; i++) {
          p = P[i]
          if (p == "icmp" || p == "icmpv6") err = 1
          if (p == "eth") { ce++; if (!err) oe = oe "eth" OFS ES[ce] OFS "" OFS ED[ce] OFS "" OFS "" OFS $2 "\n" }
          else if (p == "ip") { ci++; na = IS[ci]; nb = ID[ci]; if (!err) oi = oi "ip" OFS na OFS "" OFS nb OFS "" OFS "" OFS $2 "\n" }
          else if (p == "ipv6") { c6++; na = SS[c6]; nb = SD[c6]; if (!err && !v6frag) o6 = o6 "ipv6" OFS na OFS "" OFS nb OFS "" OFS "" OFS $2 "\n" }
          else if (p == "tcp") { ct++; if (!err) ot = ot "tcp" OFS na OFS TS[ct] OFS nb OFS TD[ct] OFS TT[ct] OFS $2 "\n" }
          else if (p == "udp") { cu++; if (!err) ou = ou "udp" OFS na OFS US[cu] OFS nb OFS UD[cu] OFS UT[cu] OFS $2 "\n" }
        }
        # Field occurrences must line up with the protocol layers of a kind (a malformed TCP
        # header shows "tcp" in frame.protocols without tcp.* fields, and is not tapped either);
        # otherwise that kind is left out for this frame (and the frame-count check below
        # rejects the conversation row if it mattered). Addresses of a TCP/UDP layer are those
        # of the closest IP/IPv6 layer before it.
        if (ce == ne) printf "%s", oe; else print "bad", "eth", $1
        if (ci == ni && c6 == n6 && v6frag >= 0) printf "%s%s", oi, o6; else print "bad", "ip", $1
        if (ct == nt && ci == ni && c6 == n6) printf "%s", ot; else print "bad", "tcp", $1
        if (cu == nu && ci == ni && c6 == n6) printf "%s", ou; else print "bad", "udp", $1
      }' >"$tmp/layers"

  for t in eth ip ipv6 tcp udp; do
    if [ -f "$tmp/conv_$t.txt" ]; then
      cp "$tmp/conv_$t.txt" "$dir/conv_$t.txt"
      conv_json "$t" "$tmp/conv_$t.txt" "$tmp/layers" "$rel" >"$dir/conv_$t.json"
    fi
    if [ -f "$tmp/endpoints_$t.txt" ]; then
      cp "$tmp/endpoints_$t.txt" "$dir/endpoints_$t.txt"
      endpoints_json "$t" "$tmp/endpoints_$t.txt" "$rel" >"$dir/endpoints_$t.json"
    fi
  done

  # 4. display filters (Lua mode: one run per pass) --------------------------------------------
  if [ "$FILTER_MODE" = lua ]; then
    local key
    key=$(printf '%s' "$rel" | tr / _)
    for pass in 1 2; do
      local two=()
      [ "$pass" = 2 ] && two=(-2)
      rm -f "$tmp/filt.out"
      GOLDENS_FILTER_LIST=$WORK/filters.list GOLDENS_FILTER_OUT=$tmp/filt.out \
        ts "${two[@]}" -q -r "$rel" -X "lua_script:$WORK/filters.lua" >/dev/null 2>"$tmp/filt.err"
      if [ ! -f "$tmp/filt.out" ] || [ "$(wc -l <"$tmp/filt.out")" -ne "$(wc -l <"$WORK/filters.list")" ]; then
        echo "generate.sh: filter run failed on $rel (pass $pass):" >&2
        strip_root_warning <"$tmp/filt.err" >&2
        cat "$tmp/filt.out.error" >&2 2>/dev/null || true
        exit 1
      fi
      cp "$tmp/filt.out" "$WORK/results/$pass/$key"
    done
  fi
  rm -rf "$tmp"
}

# conv_json TYPE TEXT LAYERS REL: the parsed table as a JSON array (rows in tshark's order).
conv_json() {
  local type=$1 text=$2 layers=$3 rel=$4
  awk -v type="$type" -v rel="$rel" -v layers="$layers" '
    function unitmul(u) {
      if (u == "bytes") return 1
      if (u == "kB") return 1000
      if (u == "MB") return 1000000
      if (u == "GB") return 1000000000
      if (u == "TB") return 1000000000000
      printf "%s: unknown byte unit %s\n", rel, u > "/dev/stderr"; fatal = 1; exit 3
    }
    # tshark 4.0 format_size(): value < 10000 -> "N bytes"; otherwise the value divided (integer
    # division, i.e. truncated) by the largest power of 1000 that leaves >= 10.
    function consistent(exact, num, unit) {
      if (unit == "bytes") return exact == num
      return int(exact / unitmul(unit)) == num && exact >= 10 * unitmul(unit)
    }
    function splitport(s, parts,   k) {
      k = match(s, /:[0-9]+$/)
      if (!k) { printf "%s: no port in %s\n", rel, s > "/dev/stderr"; fatal = 1; exit 3 }
      parts[1] = substr(s, 1, k - 1); parts[2] = substr(s, k + 1)
    }
    BEGIN {
      ports = (type == "tcp" || type == "udp")
      nl = 0
      while ((getline line < layers) > 0) {
        split(line, f, "\t")
        if (f[1] == "bad") { nbad++; continue }
        if (f[1] != type) continue
        nl++; L_src[nl] = f[2]; L_sp[nl] = f[3]; L_dst[nl] = f[4]; L_dp[nl] = f[5]; L_st[nl] = f[6]; L_len[nl] = f[7]
      }
    }
    $0 == "" || /^=+$/ || /^Filter:/ || index($0, "|") > 0 || NR == 2 { next }
    {
      nt = split($0, T, " ")
      if (nt != 14 || T[2] != "<->") { printf "%s: cannot parse conv row: %s\n", rel, $0 > "/dev/stderr"; fatal = 1; exit 3 }
      if (ports) { splitport(T[1], pa); splitport(T[3], pb); a = pa[1]; porta = pa[2]; b = pb[1]; portb = pb[2] }
      else { a = T[1]; b = T[3]; porta = "null"; portb = "null" }
      fba = T[4]; nba = T[5]; uba = T[6]; fab = T[7]; nab = T[8]; uab = T[9]; ft = T[10]; nt2 = T[11]; ut = T[12]
      rel_start = T[13]; duration = T[14]
      rounded = (uba != "bytes" || uab != "bytes" || ut != "bytes")
      bba = (uba == "bytes") ? nba : "null"; bab = (uab == "bytes") ? nab : "null"; bt = (ut == "bytes") ? nt2 : "null"
      # Exact bytes from frame.len over the tapped layers of this conversation. Computed for
      # every row: where tshark prints exact figures this cross-checks the method, where it
      # prints rounded ones ("176 kB") the computed values are used after checking that they
      # reproduce the frame counts and rounded figures.
      cab = cba = sab = sba = 0; nstreams = 0; delete seen
      for (i = 1; i <= nl; i++) {
        dirn = ""
        if (L_src[i] == a && L_dst[i] == b && (!ports || (L_sp[i] == porta && L_dp[i] == portb))) dirn = "ab"
        else if (L_src[i] == b && L_dst[i] == a && (!ports || (L_sp[i] == portb && L_dp[i] == porta))) dirn = "ba"
        if (dirn == "") continue
        if (type == "tcp" && !(L_st[i] in seen)) { seen[L_st[i]] = 1; nstreams++ }
        if (dirn == "ab") { cab++; sab += L_len[i] } else { cba++; sba += L_len[i] }
      }
      ok = (cab == fab && cba == fba && cab + cba == ft && nstreams <= 1 &&
            consistent(sab, nab, uab) && consistent(sba, nba, uba) && consistent(sab + sba, nt2, ut))
      if (rounded && ok) { bab = sab; bba = sba; bt = sab + sba }
      else if (rounded) printf "generate.sh: WARNING %s conv_%s %s <-> %s: exact bytes not derivable (computed frames %d/%d, tshark %d/%d), left null\n", rel, type, T[1], T[3], cab, cba, fab, fba > "/dev/stderr"
      else if (!ok && !(type == "tcp" && nstreams > 1)) printf "generate.sh: NOTE %s conv_%s %s <-> %s: frame.len sums (%d frames %d bytes / %d frames %d bytes) differ from tshark text (exact, used)\n", rel, type, T[1], T[3], cab, sab, cba, sba > "/dev/stderr"
      rows++
      printf "%s  {\"a\": \"%s\", \"port_a\": %s, \"b\": \"%s\", \"port_b\": %s, \"frames_ba\": %d, \"bytes_ba\": %s, \"frames_ab\": %d, \"bytes_ab\": %s, \"frames\": %d, \"bytes\": %s, \"rel_start\": %s, \"duration\": %s, \"bytes_rounded_in_text\": %s}", (rows > 1 ? ",\n" : "[\n"), a, porta, b, portb, fba, bba, fab, bab, ft, bt, rel_start, duration, (rounded ? "true" : "false")
    }
    END { if (fatal) exit 3; print (rows ? "\n]" : "[]") }' "$text"
}

# endpoints_json TYPE TEXT REL
endpoints_json() {
  local type=$1 text=$2 rel=$3
  awk -v type="$type" -v rel="$rel" '
    $0 == "" || /^=+$/ || /^Filter:/ || index($0, "|") > 0 || NR == 2 { next }
    {
      n = split($0, T, " ")
      ports = (type == "tcp" || type == "udp")
      if (n != (ports ? 8 : 7)) { printf "%s: cannot parse endpoint row: %s\n", rel, $0 > "/dev/stderr"; fatal = 1; exit 3 }
      for (i = 2; i <= n; i++) if (T[i] !~ /^[0-9]+$/) { printf "%s: non-integer in endpoint row: %s\n", rel, $0 > "/dev/stderr"; fatal = 1; exit 3 }
      o = ports ? 1 : 0
      rows++
      printf "%s  {\"address\": \"%s\", \"port\": %s, \"packets\": %d, \"bytes\": %d, \"tx_packets\": %d, \"tx_bytes\": %d, \"rx_packets\": %d, \"rx_bytes\": %d}", (rows > 1 ? ",\n" : "[\n"), T[1], (ports ? T[2] : "null"), T[2+o], T[3+o], T[4+o], T[5+o], T[6+o], T[7+o]
    }
    END { if (fatal) exit 3; print (rows ? "\n]" : "[]") }' "$text"
}

# ---------------------------------------------------------------------------------------------
# Filter acceptance worker: bash generate.sh __accept <index>   (tshark -Y F -r CAPTURE -c 1)
do_accept() {
  local idx=$1 filter
  filter=$(sed -n "$((idx + 1))p" "$WORK/filters.list")
  local rc=0
  (cd "$CAPS" && tshark "${TSHARK_OPTS[@]}" -r "$PROBE_CAPTURE" -c 1 -Y "$filter") >/dev/null 2>"$WORK/accept.$idx.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf 'filter %02d rejected by tshark (exit %d): %s\n' "$idx" "$rc" "$filter" >"$WORK/rejected.$idx"
    strip_root_warning <"$WORK/accept.$idx.err" >>"$WORK/rejected.$idx"
  fi
}

# Direct filter worker: bash generate.sh __direct <index>   (one tshark -Y run per capture, both passes)
do_direct() {
  local idx=$1 filter rel key pass
  filter=$(sed -n "$((idx + 1))p" "$WORK/filters.list")
  while IFS= read -r rel; do
    key=$(printf '%s' "$rel" | tr / _)
    for pass in 1 2; do
      local two=()
      [ "$pass" = 2 ] && two=(-2)
      ts "${two[@]}" -r "$rel" -Y "$filter" -T fields -e frame.number 2>/dev/null |
        paste -sd, - >"$WORK/direct/$pass/$key.$idx"
    done
  done <"$WORK/readable.list"
}


# ---------------------------------------------------------------------------------------------
# IO statistics (tshark -q -z io,stat,INTERVAL[,FILTER]...): one golden per setting and readable
# capture. Settings: name, interval, filters (comma-separated, as tshark takes them; empty = one
# column of all frames). A capture whose duration / interval exceeds IO_MAX_ROWS rows for a
# setting is skipped (the corpus has captures spanning days and years; tshark would print
# millions of rows) and listed in io/skipped.tsv.
IO_SETTINGS=(
  "1s|1|"
  "100ms_tcp|0.1|tcp,tcp.analysis.flags"
  "whole_udp|0|,udp,frame.len > 100"
)
IO_MAX_ROWS=20000

io_step() {
  local dir=$OUT/io
  rm -rf "$dir"
  mkdir -p "$dir"
  printf 'name\tinterval\tfilters\n' >"$dir/settings.tsv"
  printf 'setting\tcapture\trows\n' >"$dir/skipped.tsv"
  local setting name interval filters rel key duration rows arg
  for setting in "${IO_SETTINGS[@]}"; do
    IFS='|' read -r name interval filters <<<"$setting"
    printf '%s\t%s\t%s\n' "$name" "$interval" "$filters" >>"$dir/settings.tsv"
    mkdir -p "$dir/$name"
    arg="io,stat,$interval"
    [ -n "$filters" ] && arg="$arg,$filters"
    while IFS= read -r rel; do
      key=$(printf '%s' "$rel" | tr / _)
      # Duration: the largest time after the first frame's (tshark's elapsed time; a frame
      # without a timestamp counts as 1970, so a capture that starts with one spans decades).
      duration=$(awk -F'\t' 'NR > 1 { t = ($2 == "" ? 0 : $2); if (NR == 2) first = t; d = t - first; if (d > max) max = d }
                              END { printf "%.6f", max + 0 }' "$OUT/$rel/frames.tsv")
      rows=$(awk -v d="$duration" -v i="$interval" 'BEGIN { printf "%.0f", (i > 0 ? int(d / i) + 1 : 1) }')
      if [ "$rows" -gt "$IO_MAX_ROWS" ]; then
        printf '%s\t%s\t%s\n' "$name" "$rel" "$rows" >>"$dir/skipped.tsv"
        continue
      fi
      # Bounded in time and size whatever happens (a wrong estimate must not fill the disk).
      (cd "$CAPS" && timeout 300 tshark "${TSHARK_OPTS[@]}" -q -r "$rel" -z "$arg" 2>/dev/null | head -c 10000000) >"$dir/$name/$key.txt" || true
    done <"$IO_CAPTURES"
  done
  echo "generate.sh: IO statistics goldens written ($(find "$dir" -name '*.txt' | wc -l) files, $(($(wc -l <"$dir/skipped.tsv") - 1)) skipped)"
}

# ---------------------------------------------------------------------------------------------
case "${1:-}" in
  __capture) shift; do_capture "$1"; exit 0 ;;
  __accept) shift; do_accept "$1"; exit 0 ;;
  __direct) shift; do_direct "$1"; exit 0 ;;
  "" | io) ;;
  *) echo "usage: bash tests/goldens/generate.sh [io]" >&2; exit 2 ;;
esac

START=$(date +%s)
CAPS=${TRACELENS_CAPTURES:-$REPO/../shared/captures}
CAPS=$(cd "$CAPS" && pwd)
JOBS=${GOLDENS_JOBS:-2}
FILTER_MODE=${GOLDENS_FILTER_MODE:-lua}
case "$FILTER_MODE" in lua|direct) ;; *) echo "GOLDENS_FILTER_MODE must be lua or direct" >&2; exit 2 ;; esac

for tool in tshark capinfos; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool not found" >&2; exit 1; }
done
TSHARK_VERSION=$(tshark --version 2>/dev/null | sed -n '1s/^TShark (Wireshark) \([0-9][0-9.]*\).*/\1/p')
case "$TSHARK_VERSION" in
  4.0.*) echo "generate.sh: tshark $TSHARK_VERSION ($(tshark --version 2>/dev/null | head -1))" ;;
  *) echo "generate.sh: need tshark 4.0.x, found '${TSHARK_VERSION:-unknown}'" >&2; exit 1 ;;
esac
tshark --version 2>/dev/null | grep -q 'with Lua' || [ "$FILTER_MODE" = direct ] ||
  { echo "generate.sh: this tshark has no Lua; use GOLDENS_FILTER_MODE=direct" >&2; exit 1; }
[ -f "$CAPS/MANIFEST.md" ] || { echo "generate.sh: no MANIFEST.md in $CAPS" >&2; exit 1; }
echo "generate.sh: corpus $CAPS, $JOBS jobs, filter mode $FILTER_MODE"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export GOLDENS_OUT=$OUT
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tracelens-goldens.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# An empty personal configuration: no user preferences, colour rules, profiles or plugins.
mkdir -p "$WORK/config" "$WORK/xdg" "$WORK/readable" "$WORK/results/1" "$WORK/results/2" "$WORK/direct/1" "$WORK/direct/2"
export WIRESHARK_CONFIG_DIR=$WORK/config XDG_CONFIG_HOME=$WORK/xdg
export WORK CAPS FILTER_MODE

# The IO step alone: the captures that have frames.tsv goldens (the readable ones).
if [ "${1:-}" = io ]; then
  IO_CAPTURES=$WORK/io-captures.list
  (cd "$OUT" && find . -name frames.tsv -printf '%h\n' | sed 's|^\./||' | sort) >"$IO_CAPTURES"
  io_step
  echo "generate.sh: done in $(($(date +%s) - START)) s"
  exit 0
fi

# Captures: the first column of MANIFEST.md's table rows ("| `path` | owner/repo @ `commit`...").
grep -E '^\| `[^`]+` \| [^|]+ @ `' "$CAPS/MANIFEST.md" | sed -E 's/^\| `([^`]+)`.*/\1/' >"$WORK/captures.list"
while IFS= read -r rel; do
  [ -f "$CAPS/$rel" ] || { echo "generate.sh: $rel is in MANIFEST.md but not in $CAPS" >&2; exit 1; }
done <"$WORK/captures.list"
echo "generate.sh: $(wc -l <"$WORK/captures.list") captures in MANIFEST.md"

# Filters: non-comment, non-blank lines, trimmed.
sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$FILTERS_TXT" | grep -v -e '^#' -e '^$' >"$WORK/filters.list"
NFILTERS=$(wc -l <"$WORK/filters.list")
write_filter_lua "$WORK/filters.lua"
echo "generate.sh: $NFILTERS filters"

# Step 1: every filter must be accepted by this tshark (tshark -Y F -r <probe> -c 1).
PROBE_CAPTURE=chrissanders/http_ip4and6.pcapng
[ -f "$CAPS/$PROBE_CAPTURE" ] || PROBE_CAPTURE=$(head -n 1 "$WORK/captures.list")
export PROBE_CAPTURE
seq 0 $((NFILTERS - 1)) | xargs -P "$JOBS" -n 1 bash "$HERE/generate.sh" __accept
if ls "$WORK"/rejected.* >/dev/null 2>&1; then
  cat "$WORK"/rejected.* >&2
  echo "generate.sh: fix tests/filters/filters.txt" >&2
  exit 1
fi
echo "generate.sh: all $NFILTERS filters accepted by tshark $TSHARK_VERSION"

# Step 2: clear old outputs (only what this script writes), then one worker per capture.
cut -d/ -f1 "$WORK/captures.list" | sort -u | while IFS= read -r top; do rm -rf "${OUT:?}/$top"; done
rm -rf "$OUT/filters" "$OUT/filters_2pass"
tr '\n' '\0' <"$WORK/captures.list" | xargs -0 -P "$JOBS" -n 1 bash "$HERE/generate.sh" __capture
cat "$WORK"/readable/* | sort >"$WORK/readable.list"
echo "generate.sh: per-capture goldens written ($(wc -l <"$WORK/readable.list") readable captures)"

# Step 3: filter goldens.
if [ "$FILTER_MODE" = direct ]; then
  seq 0 $((NFILTERS - 1)) | xargs -P "$JOBS" -n 1 bash "$HERE/generate.sh" __direct
  # reshape into the per-capture result files of the Lua mode
  for pass in 1 2; do
    while IFS= read -r rel; do
      key=$(printf '%s' "$rel" | tr / _)
      for ((i = 0; i < NFILTERS; i++)); do cat "$WORK/direct/$pass/$key.$i"; done >"$WORK/results/$pass/$key"
    done <"$WORK/readable.list"
  done
fi
for pass in 1 2; do
  fdir=$OUT/filters
  [ "$pass" = 2 ] && fdir=$OUT/filters_2pass
  mkdir -p "$fdir"
  # NN.txt: "# <filter>", then "<capture>\t<frames>" for every readable capture (sorted by path)
  awk -v fdir="$fdir" -v res="$WORK/results/$pass" -v filters="$WORK/filters.list" '
    BEGIN {
      nf = 0
      while ((getline line < filters) > 0) F[nf++] = line
    }
    {
      rel = $0; key = rel; gsub(/\//, "_", key); caps[nc++] = rel
      i = 0
      while ((getline line < (res "/" key)) > 0) R[i++, rel] = line
      if (i != nf) { printf "generate.sh: %s has %d filter results, expected %d\n", rel, i, nf > "/dev/stderr"; bad = 1; exit 1 }
    }
    END {
      if (bad) exit 1
      for (i = 0; i < nf; i++) {
        out = sprintf("%s/%02d.txt", fdir, i)
        printf "# %s\n", F[i] > out
        for (c = 0; c < nc; c++) printf "%s\t%s\n", caps[c], R[i, caps[c]] > out
        close(out)
      }
    }' "$WORK/readable.list"
  # Per-capture view (same data): <capture path with / as _>.txt, lines "<index> <frame> <frame>..."
  while IFS= read -r rel; do
    key=$(printf '%s' "$rel" | tr / _)
    awk '{ gsub(/,/, " "); print (NR - 1) ($0 == "" ? "" : " " $0) }' "$WORK/results/$pass/$key" >"$fdir/$key.txt"
  done <"$WORK/readable.list"
done
echo "generate.sh: filter goldens written"

IO_CAPTURES=$WORK/readable.list
io_step

END=$(date +%s)
echo "generate.sh: done in $((END - START)) s; $(du -sh "$OUT" | cut -f1) in $OUT"
