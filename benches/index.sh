#!/usr/bin/env bash
# Bench: `partnerbot index` over PATTERNS generated learning patterns and PROPOSALS generated
# proposals on a fresh dev wiki. Prints, for each pass, wall time, edits made (site statistics),
# the API requests of the bot's summary line(s), the api.php requests the wiki served, and the
# bot's peak RSS; then the request counts again side by side. Passes: the first build; again
# with nothing changed (0 edits expected); one learning pattern edited by a human, then
# `index --page` on it; `index --dry-run` (would a full rebuild change what the one-page update
# wrote?); `run --once` (proposals pass, then the index) for reference; `index` once more.
# Not a test: it only prints figures (see README "Performance").
#
# Usage: benches/index.sh [PATTERNS=2000] [PROPOSALS=500]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
patterns=${1:-2000}
proposals=${2:-500}
# shellcheck source=benches/fresh_wiki.sh
. benches/fresh_wiki.sh

echo "bench: importing $proposals generated proposals and $patterns generated learning patterns"
python3 benches/gen_proposals.py "$proposals" 5 >"$dir/proposals.xml"
python3 benches/gen_patterns.py "$patterns" "$proposals" >"$dir/patterns.xml"
import_start=$(date +%s.%N)
deploy/devwiki maint "$dir" importDump.php --quiet "$dir/proposals.xml" >/dev/null
deploy/devwiki maint "$dir" importDump.php --quiet "$dir/patterns.xml" >/dev/null
# The signers' accounts, so that endorsements and votes count (unknown users do not).
for user in "Endorser "{0..49} "Voter "{0..4}; do
    deploy/devwiki maint "$dir" createAndPromote.php "$user" "Bench-password-2026" >/dev/null
done
# Category links of imported pages are written by jobs; the wiki never runs them on its own.
deploy/devwiki jobs "$dir" >/dev/null
printf 'bench: import, accounts and jobs took %.0f s\n' "$(python3 -c "print($(date +%s.%N) - $import_start)")"

edits() {
    curl -s "http://127.0.0.1:$port/api.php?action=query&meta=siteinfo&siprop=statistics&format=json" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["query"]["statistics"]["edits"])'
}

# Runs the bot with ARGS, writing its stdout to $dir/LABEL.out and its peak RSS in KiB to
# $dir/LABEL.rss; returns the bot's exit status.
measure() {
    local label=$1
    shift
    if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
        local status=0
        /usr/bin/time -v -o "$dir/$label.time" "$bot" -q --config "$config" "$@" \
            >"$dir/$label.out" 2>"$dir/$label.err" || status=$?
        sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$dir/$label.time" >"$dir/$label.rss"
        return "$status"
    fi
    python3 - "$dir/$label" "$bot" -q --config "$config" "$@" <<'EOF'
import resource, subprocess, sys
out = sys.argv[1]
with open(out + ".out", "w") as o, open(out + ".err", "w") as e:
    status = subprocess.call(sys.argv[2:], stdout=o, stderr=e)
with open(out + ".rss", "w") as r:
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=r)
sys.exit(status)
EOF
}

# api.php requests the wiki served so far (PHP's built-in server logs each one): counts what the
# bot's summary lines leave out (login, site info, the shut-off check, listing the proposals).
served() {
    grep -c -E '\]: (GET|POST) /api\.php' "$dir/server.log" || true
}

labels=()
pass() {
    local label=$1 before after start end status=0 requests hits
    shift
    before=$(edits)
    hits=$(served)
    start=$(date +%s.%N)
    measure "$label" "$@" || status=$?
    end=$(date +%s.%N)
    hits=$(($(served) - hits))
    after=$(edits)
    # One number per summary line: the proposals pass's, then the index's.
    requests=$(sed -n -E 's/^[[:space:]]*API requests:[[:space:]]*([0-9]+).*/\1/p' "$dir/$label.out" | paste -sd+ -)
    printf '%-12s wall %7.2f s   edits %4d   API requests %-9s (served %5d)   peak RSS %6.1f MiB\n' \
        "$label" "$(python3 -c "print($end - $start)")" "$((after - before))" "${requests:-?}" "$hits" \
        "$(python3 -c "print($(cat "$dir/$label.rss") / 1024)")"
    grep -E '^(index:|pages seen|edited|would edit|failed|  (edited|would edit|FAILED|listed))' "$dir/$label.out" |
        sed 's/^/    | /' || true
    if ((status != 0)); then
        echo "    | exit status $status; stderr:"
        sed 's/^/    | /' "$dir/$label.err"
    fi
    labels+=("$label")
    printf '%s\t%s\n' "${requests:-?}" "$hits" >"$dir/$label.requests"
}

echo "bench: $(nproc) cores; $patterns learning patterns, $proposals proposals"
pass first index
pass idle index

title="Learning patterns/Generated pattern 1"
current=$(curl -s "http://127.0.0.1:$port/index.php?title=${title// /_}&action=raw")
printf '%s\n' "${current/== See also ==/# A late endorsement. [[User:Endorser 49|Endorser 49]] ([[User talk:Endorser 49|talk]]) 10:00, 20 March 2026 (UTC)

== See also ==}" |
    deploy/devwiki maint "$dir" edit.php -u Admin -s "one more endorsement" "$title" >/dev/null
pass one-page index --page "$title"
# A full rebuild that would change nothing if the one-page update left the lists as it would.
pass check index --dry-run
pass run-once run --once
pass idle-again index

echo
echo "API requests by pass: summary line(s) (\"a+b\": proposals pass + index), served by the wiki"
for label in "${labels[@]}"; do
    IFS=$'\t' read -r requests hits <"$dir/$label.requests"
    printf '  %-12s %-10s %6d\n' "$label" "$requests" "$hits"
done
