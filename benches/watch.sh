#!/usr/bin/env bash
# Bench: the continuous job (`partnerbot run` without --once) on a fresh dev wiki with PROPOSALS
# generated proposals, polling recent changes every second (debounce 1 s, no save delay: the
# dev wiki's partnerbot.toml). Prints:
#   0. the start-up full pass over the proposals (it edits all of them): wall time, edits;
#   1. edit -> reaction latency: EDITS human stage changes, one at a time (benches/watch_edits.py
#      has the method), p50 / p95 / max;
#   2. idle resources: 60 s without edits after the full pass: RSS (VmRSS sampled every second,
#      and VmHWM) and the api.php requests the wiki served per minute;
#   3. restart with nothing changed: SIGTERM (exit status, seconds to exit), start again, its
#      start-up full pass's wall time and the edits it made (0 expected);
# then the bot's WARN/ERROR log lines, if any. Not a test: it only prints figures (see README
# "Performance"). BENCH_LOG=FILE keeps a copy of the bot's logs (JSON lines); BENCH_IDLE_S=S
# shortens the idle minute (for trying the script out).
#
# Usage: benches/watch.sh [PROPOSALS=1000] [EDITS=50]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
proposals=${1:-1000}
edit_count=${2:-50}
idle_s=${BENCH_IDLE_S:-60}
# shellcheck source=benches/fresh_wiki.sh
. benches/fresh_wiki.sh

# Stop the bot too when the script exits, then run fresh_wiki.sh's clean-up.
eval "set -- $(trap -p EXIT)"
wiki_cleanup=$3
bot_pid=
logs=()
stop_bot() {
    if [[ -n $bot_pid ]] && kill -0 "$bot_pid" 2>/dev/null; then
        kill -TERM "$bot_pid" 2>/dev/null || true
        wait "$bot_pid" 2>/dev/null || true
    fi
    if [[ -n ${BENCH_LOG:-} && ${#logs[@]} -gt 0 ]]; then
        cat "${logs[@]}" >"$BENCH_LOG" || true
    fi
}
trap 'stop_bot; eval "$wiki_cleanup"' EXIT

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }

echo "bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $proposals proposals, $edit_count edits"
echo "bench: partnerbot built from $(git describe --always --dirty 2>/dev/null || echo "an unknown tree")"
import_start=$(now)
python3 benches/gen_proposals.py "$proposals" 5 >"$dir/proposals.xml"
deploy/devwiki maint "$dir" importDump.php --quiet "$dir/proposals.xml" >/dev/null
# The signers' accounts, so that votes count (unknown users do not).
for user in "Voter "{0..4}; do
    deploy/devwiki maint "$dir" createAndPromote.php "$user" "Bench-password-2026" >/dev/null
done
# Category links of imported pages are written by jobs; the wiki never runs them on its own.
deploy/devwiki jobs "$dir" >/dev/null
echo "bench: import, accounts and jobs took $(elapsed "$import_start" "$(now)") s"

edits() {
    curl -s "http://127.0.0.1:$port/api.php?action=query&meta=siteinfo&siprop=statistics&format=json" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["query"]["statistics"]["edits"])'
}

# api.php requests the wiki served so far (PHP's built-in server logs each one).
served() {
    grep -c -E '\]: (GET|POST) /api\.php' "$dir/server.log" || true
}

# Starts the bot in the background, logging JSON lines to $dir/LABEL.log.
start_bot() {
    log=$dir/$1.log
    logs+=("$log")
    : >"$log"
    "$bot" --config "$config" --log-format json run >"$dir/$1.out" 2>"$log" &
    bot_pid=$!
}

# Waits (at most 30 min) for the bot's "full pass done" line; prints the line.
wait_full_pass() {
    local i
    for ((i = 0; i < 18000; i++)); do
        if grep -m1 '"message":"full pass done"' "$log"; then
            return 0
        fi
        if ! kill -0 "$bot_pid" 2>/dev/null; then
            echo "bench: the bot exited before its full pass was done; its log:" >&2
            tail -n 30 "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "bench: no full pass done after 30 min" >&2
    exit 1
}

# Waits until the bot's log has not grown for 3 s (at most 60 s).
wait_quiet() {
    local size quiet=0 i
    size=$(stat -c %s "$log")
    for ((i = 0; i < 600 && quiet < 30; i++)); do
        sleep 0.1
        if [[ $(stat -c %s "$log") == "$size" ]]; then
            quiet=$((quiet + 1))
        else
            size=$(stat -c %s "$log")
            quiet=0
        fi
    done
}

# Recent changes (edits, page creations, log entries) since the UTC time $1, one a line.
changes_since() {
    curl -s "http://127.0.0.1:$port/api.php?action=query&list=recentchanges&rcdir=newer&rcstart=$1&rclimit=50&rcprop=title|user|timestamp|comment|loginfo&format=json" |
        python3 -c 'import json,sys
for c in json.load(sys.stdin)["query"]["recentchanges"]:
    print(c["timestamp"], c["type"], c.get("logtype", "") + "/" + c.get("logaction", ""), c["user"], c["title"], "|", c["comment"])'
}

# KiB of a /proc/PID/status field.
proc_kib() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$bot_pid/status"; }
mib() { python3 -c "print(f'{$1 / 1024:.1f}')"; }

# A named field of a JSON log line.
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], "?"))' "$1" "$2"; }

# SIGTERM, then waits (at most 30 s, then SIGKILL); sets stop_status and stop_seconds.
stop_and_time() {
    local t0 i
    t0=$(now)
    kill -TERM "$bot_pid"
    for ((i = 0; i < 300; i++)); do
        kill -0 "$bot_pid" 2>/dev/null || break
        sleep 0.02
    done
    kill -0 "$bot_pid" 2>/dev/null && kill -KILL "$bot_pid"
    stop_status=0
    wait "$bot_pid" || stop_status=$?
    stop_seconds=$(elapsed "$t0" "$(now)")
    bot_pid=
}

# --- 0. start-up full pass ---------------------------------------------------------------------
echo "bench: starting the bot (start-up full pass over $proposals proposals)"
before=$(edits)
t0=$(now)
start_bot first
line=$(wait_full_pass)
first_wall=$(elapsed "$t0" "$(now)")
wait_quiet
first_edits=$(($(edits) - before))
first_hwm=$(proc_kib VmHWM)
first_fields="proposals $(field "$line" proposals), edited $(field "$line" edited), index pages edited $(field "$line" index_edited), bot's seconds $(field "$line" seconds)"

# --- 2. idle minute ----------------------------------------------------------------------------
echo "bench: idle for $idle_s s"
before=$(edits)
hits=$(served)
log_lines=$(wc -l <"$log")
rss_max=0
for ((i = 0; i < idle_s; i++)); do
    sleep 1
    rss=$(proc_kib VmRSS)
    ((rss > rss_max)) && rss_max=$rss
done
idle_hits=$(($(served) - hits))
idle_edits=$(($(edits) - before))
idle_log_lines=$(($(wc -l <"$log") - log_lines))
rss_final=$(proc_kib VmRSS)
hwm_idle=$(proc_kib VmHWM)

# --- 1. edit -> reaction -----------------------------------------------------------------------
echo "bench: $edit_count human edits, one at a time"
latency=$(python3 benches/watch_edits.py "$dir" "$port" "$proposals" "$edit_count" "$log" 2>"$dir/edits.err")
rss_after_edits=$(proc_kib VmRSS)
hwm_after_edits=$(proc_kib VmHWM)

# --- 3. restart --------------------------------------------------------------------------------
echo "bench: SIGTERM and restart"
stop_and_time
first_stop_status=$stop_status
first_stop_seconds=$stop_seconds
stopped_cleanly=$(grep -c '"message":"stopped cleanly"' "$log" || true)
before=$(edits)
restart_since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(now)
start_bot restart
line=$(wait_full_pass)
restart_wall=$(elapsed "$t0" "$(now)")
restart_fields="proposals $(field "$line" proposals), edited $(field "$line" edited), index pages edited $(field "$line" index_edited), bot's seconds $(field "$line" seconds)"
at_pass=$(($(edits) - before))
sleep 5
restart_edits=$(($(edits) - before))
restart_hwm=$(proc_kib VmHWM)
restart_changes=$(changes_since "$restart_since")
stop_and_time
restart_stopped_cleanly=$(grep -c '"message":"stopped cleanly"' "$log" || true)

echo
echo "0. Start-up full pass over $proposals proposals (first start)"
printf '  wall %s s (start to "full pass done")   edits %d   [%s]   peak RSS (VmHWM) %s MiB\n' \
    "$first_wall" "$first_edits" "$first_fields" "$(mib "$first_hwm")"
echo "1. Edit -> reaction latency ($edit_count edits, polling 1 s, debounce 1 s, save delay 0)"
echo "$latency"
echo "2. Idle ${idle_s} s after the start-up full pass, watching $proposals proposals"
printf '  VmRSS max %s MiB, final %s MiB; VmHWM %s MiB (peak since start, incl. the full pass)\n' \
    "$(mib "$rss_max")" "$(mib "$rss_final")" "$(mib "$hwm_idle")"
printf '  api.php requests served: %d in %d s (%s per minute); edits %d; bot log lines %d\n' \
    "$idle_hits" "$idle_s" "$(python3 -c "print(f'{$idle_hits * 60 / $idle_s:.0f}')")" "$idle_edits" "$idle_log_lines"
printf '  after the edits: VmRSS %s MiB, VmHWM %s MiB\n' "$(mib "$rss_after_edits")" "$(mib "$hwm_after_edits")"
echo "3. Restart with nothing changed"
printf '  SIGTERM: exit status %d after %s s ("stopped cleanly" logged: %d)\n' \
    "$first_stop_status" "$first_stop_seconds" "$stopped_cleanly"
printf '  restart full pass: wall %s s (start to "full pass done")   [%s]\n' "$restart_wall" "$restart_fields"
status_edits=$(printf '%s\n' "$restart_changes" | grep -c ' User:Partnerbot/Status |' || true)
printf '  edits by the restart: %d at "full pass done", %d 5 s later (%d of them to User:Partnerbot/Status)   peak RSS (VmHWM) %s MiB\n' \
    "$at_pass" "$restart_edits" "$status_edits" "$(mib "$restart_hwm")"
if [[ -n $restart_changes ]]; then
    echo "  recent changes since the restart (from $restart_since):"
    printf '%s\n' "$restart_changes" | sed 's/^/    | /'
fi
printf '  second SIGTERM: exit status %d after %s s ("stopped cleanly" logged: %d)\n' \
    "$stop_status" "$stop_seconds" "$restart_stopped_cleanly"

echo
warns=$(cat "${logs[@]}" | grep -E '"level":"(WARN|ERROR)"' || true)
if [[ -n $warns ]]; then
    echo "WARN/ERROR lines in the bot's logs ($(printf '%s\n' "$warns" | wc -l)):"
    printf '%s\n' "$warns" | sed 's/^/  | /'
else
    echo "no WARN/ERROR lines in the bot's logs"
fi
if [[ -s $dir/first.out || -s $dir/restart.out ]]; then
    echo "the bot's stdout:"
    cat "$dir/first.out" "$dir/restart.out" | sed 's/^/  | /'
fi
