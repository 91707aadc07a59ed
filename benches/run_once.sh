#!/usr/bin/env bash
# Bench: `partnerbot run --once` over N generated proposals on a fresh dev wiki, then again with
# nothing changed. Prints requests, edits and wall time of both passes. Not a test: it only
# prints figures (see README "Performance").
#
# Usage: benches/run_once.sh [N=500]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-500}
# shellcheck source=benches/fresh_wiki.sh
. benches/fresh_wiki.sh

echo "bench: importing $count generated proposals"
python3 benches/gen_proposals.py "$count" 5 >"$dir/proposals.xml"
deploy/devwiki maint "$dir" importDump.php --quiet "$dir/proposals.xml" >/dev/null
deploy/devwiki jobs "$dir" >/dev/null

edits() {
    curl -s "http://127.0.0.1:$port/api.php?action=query&meta=siteinfo&siprop=statistics&format=json" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["query"]["statistics"]["edits"])'
}

pass() {
    local label=$1 before after start end
    before=$(edits)
    start=$(date +%s.%N)
    "$bot" -q --config "$config" run --once >"$dir/$label.out"
    end=$(date +%s.%N)
    after=$(edits)
    printf '%-12s wall %6.2f s   edits %4d   %s\n' "$label" "$(python3 -c "print($end - $start)")" \
        "$((after - before))" "$(grep 'API requests' "$dir/$label.out")"
}

pass first
pass idle
