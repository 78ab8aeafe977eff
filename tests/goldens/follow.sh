#!/usr/bin/env bash
# Regenerates the follow-stream goldens (tests/follow_parity.rs) with tshark 4.0:
#
#   bash tests/goldens/follow.sh
#
# For every line "CAPTURE PROTO STREAM" of tests/goldens/follow/CASES, writes
#   tests/goldens/follow/<CAPTURE>/<PROTO>-<STREAM>.<MODE>.txt   (MODE = ascii hex raw)
# as `tshark -n -q -z follow,PROTO,MODE,STREAM` prints it (stdout only). The corpus is read from
# ${TRACELENS_CAPTURES:-<repo>/../shared/captures}; LC_ALL=C, TZ=UTC and an empty personal
# configuration directory, as generate.sh does.
set -euo pipefail
export LC_ALL=C TZ=UTC

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CAPS=${TRACELENS_CAPTURES:-$REPO/../shared/captures}
OUT=$HERE/follow
CONF=$(mktemp -d)
trap 'rm -rf "$CONF"' EXIT
export WIRESHARK_CONFIG_DIR=$CONF

grep -v '^#' "$OUT/CASES" | while read -r capture proto stream; do
  [ -n "$capture" ] || continue
  mkdir -p "$OUT/$capture"
  for mode in ascii hex raw; do
    (cd "$CAPS" && tshark -n -r "$capture" -q -z "follow,$proto,$mode,$stream") \
      > "$OUT/$capture/$proto-$stream.$mode.txt" 2>/dev/null
  done
done
