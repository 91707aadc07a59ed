#!/usr/bin/env bash
# Bench: partnerbot side by side with a peer doing the same work in Python with Pywikibot and
# mwparserfromhell (benches/peer/peer.py), in one run. Prints, for `partnerbot run --once` and
# for the peer over the same N generated proposals: wall time, API requests (api.php lines in
# the dev wiki's server.log during the run, counted the same way for both), CPU time (user+sys)
# and peak RSS (both from /usr/bin/time -v), edits, and the ratios peer/partnerbot; then
# whether the two wrote the same tallies; then the analysis throughput on 500-vote pages:
# `cargo bench --bench analyse` against mwparserfromhell on the same pages, and the ratio
# (the project's target: at least 50 times mwparserfromhell). Not a test: it only prints figures
# (see README "Performance").
#
# Fairness: each side gets its own fresh dev wiki (benches/fresh_wiki.sh for partnerbot, a
# second one set up the same way for the peer: templates installed, the same dump imported, the
# link tables built), so neither reads pages the other has already edited, neither wiki carries
# the other's revisions, and the titles are identical. The two runs are one after the other, so
# only one wiki is busy at a time. The peer does what the bot does for the tally: lists the
# pages calling {{Partnership proposal}}, reads them 50 at a time (PreloadingGenerator, with
# templates=True so that page.save()'s {{nobots}} check costs no request of its own: without
# it, one more request per page), looks the voters up once per batch, reads each page's history
# once (forged signatures) and saves each page once with the tally region (the same text as
# the bot's but for the seal). It does not do the bot's other work (the checklist
# region and problems category in the same save, the index pass at the end of `run --once`):
# the bot's own count of index requests is printed too. Pywikibot runs with put_throttle = 0
# (as the bot's save_delay_s = 0 on the dev wiki) and also minthrottle = 0: its default of 0.1 s
# applies to every request, reads and saves, and the bot has no such pause. Pywikibot POSTs
# every request to a wiki without HTTPS, so the server's log cannot say what they were: the
# peer prints what it sent, by kind. Rules the peer
# mirrors and does not: the docstring of benches/peer/peer.py.
#
# Pywikibot and mwparserfromhell come from PyPI, installed by pip into a venv in the bench's
# temporary folder; without network to PyPI the bench says so and stops.
#
# Usage: benches/peer.sh [N=500] [VOTES=5]
#   PARTNERBOT_BENCH_PAGES=200  pages of the analysis throughput part (as benches/analyse.rs)
#   PEER_BENCH_KEEP=1           keep both wikis' folders and the bench's (servers stopped)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
count=${1:-500}
votes=${2:-5}
pages=${PARTNERBOT_BENCH_PAGES:-200}
prefix="Partnerships/Proposals/Generated"

echo "bench: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
work=$(mktemp -d /tmp/partnerbot-peer-XXXXXX)
echo "bench: installing pywikibot and mwparserfromhell from PyPI into a venv"
python3 -m venv "$work/venv"
py=$work/venv/bin/python
if ! "$py" -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 30 \
    pywikibot mwparserfromhell >"$work/pip.log" 2>&1; then
    echo "bench: pip could not install pywikibot and mwparserfromhell (no network to PyPI?)." >&2
    echo "bench: stopping: the peer cannot run without them. pip said:" >&2
    tail -n 5 "$work/pip.log" >&2
    rm -rf "$work"
    exit 1
fi
"$py" -c 'import pywikibot, mwparserfromhell
print("bench: peer: pywikibot", pywikibot.__version__, "/ mwparserfromhell", mwparserfromhell.__version__,
      "(C tokenizer)" if mwparserfromhell.parser.use_c else "(pure Python tokenizer)")' 2>/dev/null

# Wiki A (partnerbot): dir, port, bot, config.
# shellcheck source=benches/fresh_wiki.sh
. benches/fresh_wiki.sh
# Wiki B (the peer), set up like A.
peer_dir=$work/wiki
peer_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
    deploy/devwiki stop "$dir" >/dev/null 2>&1 || true
    deploy/devwiki stop "$peer_dir" >/dev/null 2>&1 || true
    if [[ -n ${PEER_BENCH_KEEP:-} ]]; then
        echo "bench: kept $dir and $work (PEER_BENCH_KEEP)"
    else
        rm -rf "$dir" "$work"
    fi
}
trap cleanup EXIT
deploy/devwiki up "$peer_dir" "$peer_port" >/dev/null
"$bot" -q --config "$peer_dir/partnerbot.toml" templates install >/dev/null

echo "bench: importing $count generated proposals ($votes votes each) into both wikis"
python3 benches/gen_proposals.py "$count" "$votes" >"$work/proposals.xml"
for d in "$dir" "$peer_dir"; do
    deploy/devwiki maint "$d" importDump.php --quiet "$work/proposals.xml" >/dev/null
    deploy/devwiki jobs "$d" >/dev/null
done

# Pywikibot for wiki B: a family file, user-config.py and the bot password (user-password.py).
pwb=$work/pywikibot
mkdir -p "$pwb/families"
cat >"$pwb/families/devwiki_family.py" <<EOF
from pywikibot import family


class Family(family.SingleSiteFamily):
    name = 'devwiki'
    domain = '127.0.0.1:$peer_port'

    def scriptpath(self, code):
        return ''

    def protocol(self, code):
        return 'http'
EOF
cat >"$pwb/user-config.py" <<EOF
family = 'devwiki'
mylang = 'devwiki'
usernames['devwiki']['devwiki'] = 'Partnerbot'
password_file = '$pwb/user-password.py'
user_families_paths = ['$pwb/families']
put_throttle = 0
minthrottle = 0
# Pywikibot 11.8 renamed maxlag to write_maxlag and added read_maxlag; the bot sends 5 on all.
read_maxlag = 5
write_maxlag = 5
user_agent_format = 'partnerbot-bench-peer/0.1 (local dev wiki; benches/peer.sh) {pwb}'
EOF
password=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["auth"]["password"])' \
    "$peer_dir/partnerbot.toml")
(umask 077 && printf '("Partnerbot", BotPassword("partnerbot", "%s"))\n' "$password" >"$pwb/user-password.py")

edits() {
    curl -s "http://127.0.0.1:$1/api.php?action=query&meta=siteinfo&siprop=statistics&format=json" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["query"]["statistics"]["edits"])'
}

# measure LABEL WIKIDIR PORT COMMAND...: runs COMMAND under /usr/bin/time -v; sets
# {wall,requests,cpu,rss,edited,rc}[LABEL]. Requests: api.php lines the server logged meanwhile.
declare -A wall requests cpu rss edited rc
measure() {
    local label=$1 wiki=$2 port=$3 lines before start end status=0
    shift 3
    lines=$(wc -l <"$wiki/server.log")
    before=$(edits "$port")
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$work/$label.time" "$@" >"$work/$label.out" 2>"$work/$label.err" || status=$?
    end=$(date +%s.%N)
    sleep 1 # let the server's workers finish writing their log lines
    rc[$label]=$status
    wall[$label]=$(python3 -c "print(f'{$end - $start:.2f}')")
    tail -n +"$((lines + 1))" "$wiki/server.log" | grep '\]: [A-Z]* /api\.php' >"$work/$label.log" || true
    requests[$label]=$(wc -l <"$work/$label.log")
    edited[$label]=$(($(edits "$port") - before))
    cpu[$label]=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$work/$label.time")
    rss[$label]=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$work/$label.time")
}

echo "bench: partnerbot run --once on wiki A"
measure bot "$dir" "$port" "$bot" -q --config "$config" run --once
if ((rc[bot] != 0)); then
    echo "bench: partnerbot exited ${rc[bot]}; its stderr ends with:" >&2
    tail -n 5 "$work/bot.err" >&2
fi
echo "bench: peer (Pywikibot + mwparserfromhell) on wiki B"
measure peer "$peer_dir" "$peer_port" env PYWIKIBOT_DIR="$pwb" \
    "$py" benches/peer/peer.py run "$prefix"
if ((rc[peer] != 0)); then
    echo "bench: the peer exited ${rc[peer]}; its stderr ends with:" >&2
    tail -n 15 "$work/peer.err" >&2
fi

ratio() { python3 -c "a, b = $1, $2; print(f'{a / b:.2f}x' if b else 'n/a')"; }
echo
echo "end to end: $count proposals, $votes votes each, each side on its own fresh dev wiki"
printf '%-28s %12s %12s %16s\n' "" partnerbot peer peer/partnerbot
printf '%-28s %12s %12s %16s\n' "wall time (s)" "${wall[bot]}" "${wall[peer]}" "$(ratio "${wall[peer]}" "${wall[bot]}")"
printf '%-28s %12s %12s %16s\n' "API requests (server.log)" "${requests[bot]}" "${requests[peer]}" "$(ratio "${requests[peer]}" "${requests[bot]}")"
printf '%-28s %12s %12s %16s\n' "CPU user+sys (s)" "${cpu[bot]}" "${cpu[peer]}" "$(ratio "${cpu[peer]}" "${cpu[bot]}")"
printf '%-28s %12s %12s %16s\n' "peak RSS (MiB)" "${rss[bot]}" "${rss[peer]}" "$(ratio "${rss[peer]}" "${rss[bot]}")"
printf '%-28s %12s %12s %16s\n' "edits" "${edited[bot]}" "${edited[peer]}" "$(ratio "${edited[peer]}" "${edited[bot]}")"
printf '%-28s %12s %12s\n' "exit status" "${rc[bot]}" "${rc[peer]}"
echo "partnerbot's own count: $(grep -m1 'API requests' "$work/bot.out" | sed 's/^ *//'); index: $(grep 'API requests' "$work/bot.out" | sed -n 2p | sed 's/^ *//')"
sed "s/^peer: /peer's own summary: /" "$work/peer.out"
for side in bot peer; do
    echo "requests of $side by kind: $("$py" benches/peer/peer.py kinds "$work/$side.log")"
done
"$py" benches/peer/peer.py compare "http://127.0.0.1:$port/api.php" \
    "http://127.0.0.1:$peer_port/api.php" "$prefix" || true

echo
echo "analysis throughput: $pages pages with 500 votes and 500 replies (benches/analyse.rs's pages)"
# Built once, run three times (the same binary even if src/ changes meanwhile); best of three
# on each side: the machine is shared, and a slower run only measures the others.
analyse=$(cargo bench --locked --bench analyse --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for m in map(json.loads, sys.stdin):
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "analyse" and m.get("executable"):
        print(m["executable"])' | tail -n 1)
for _ in 1 2 3; do
    PARTNERBOT_BENCH_PAGES=$pages "$analyse" | grep '^analysis:'
done >"$work/analyse.out"
bot_rate_line=$(sort -t' ' -k2 -g "$work/analyse.out" | tail -n 1)
echo "partnerbot $bot_rate_line (best of 3: $(cut -d' ' -f2 "$work/analyse.out" | paste -sd' '))"
"$py" benches/peer/peer.py pages "$work/pages" "$pages"
"$py" benches/peer/peer.py parse "$work/pages" | tee "$work/parse.out"
"$py" benches/peer/peer.py tally "$work/pages" | tee "$work/tally.out"
bot_rate=$(sed -E 's/^analysis: ([0-9.]+) pages\/s.*/\1/' <<<"$bot_rate_line")
rate() { sed -n "$1p" "$work/$2" | sed -E 's/.*: ([0-9.]+) pages\/s.*/\1/'; }
printf 'partnerbot / mwparserfromhell parse() only:   %s\n' "$(ratio "$bot_rate" "$(rate 1 parse.out)")"
printf 'partnerbot / mwparserfromhell parse + walk:   %s   (target: at least 50x)\n' "$(ratio "$bot_rate" "$(rate 2 parse.out)")"
printf 'partnerbot / peer analysis:                   %s\n' "$(ratio "$bot_rate" "$(rate 1 tally.out)")"
echo "bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
