#!/usr/bin/env bash
# Bench: API requests to tally a proposal with N revisions (one vote each), the first time and
# after one more vote. Prints figures only (README "Performance").
#
# Usage: benches/history.sh [N=2000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-2000}
# shellcheck source=benches/fresh_wiki.sh
. benches/fresh_wiki.sh
python3 benches/gen_history.py "$count" >"$dir/history.xml"
# Voters keep their names (no "imported>" prefix), so history authors match signatures.
deploy/devwiki maint "$dir" importDump.php --quiet --username-prefix="" "$dir/history.xml" >/dev/null 2>&1 ||
    deploy/devwiki maint "$dir" importDump.php --quiet "$dir/history.xml" >/dev/null
deploy/devwiki jobs "$dir" >/dev/null

pass() {
    local label=$1 start end
    start=$(date +%s.%N)
    "$bot" -q --config "$config" run --once >"$dir/$label.out"
    end=$(date +%s.%N)
    printf '%-16s wall %6.2f s   %s\n' "$label" "$(python3 -c "print($end - $start)")" "$(grep 'API requests' "$dir/$label.out")"
}

echo "history bench: one proposal, $count revisions, one vote each"
pass first
deploy/devwiki maint "$dir" createAndPromote.php "Late Voter" "Voter-password-2026" >/dev/null
title="Partnerships/Proposals/Long history"
current=$(curl -s "http://127.0.0.1:$port/index.php?title=${title// /_}&action=raw")
printf '%s\n' "${current/=== Oppose ===/# Support [[User:Late Voter|Late Voter]] 10:00, 20 March 2026 (UTC)
=== Oppose ===}" |
    deploy/devwiki maint "$dir" edit.php -u "Late Voter" -s "one more vote" "$title" >/dev/null
pass after-one-vote
pass idle
