#!/usr/bin/env python3
"""Human stage edits against a running `partnerbot run`, one at a time (for benches/watch.sh).

Usage: watch_edits.py DIR PORT PROPOSALS EDITS BOT_LOG

For edit i it takes proposal (i * PROPOSALS) // EDITS, changes its `| stage =` line to another
valid stage and saves it as Admin with `deploy/devwiki maint DIR edit.php`. The clock starts
when edit.php returns (the edit is saved); then the page's latest revision is polled through the
API every 50 ms until it is a Partnerbot revision newer than the human one: that is the reaction
time. Afterwards it checks that the bot's checklist region shows the new stage, and waits until
the bot has finished that piece of work (the index update follows a proposal's save and takes
seconds on a big index) so that each edit is measured on an idle bot: the bot saves its status
page after each piece of work when the status changed ("edits today" did; the dev wiki's
config has status_interval_s = 0), so it waits for a status-page revision newer than the bot's
proposal revision, or, failing that within 30 s, for the bot's log to be quiet for 5 s.

Besides the polled wall clock it reports, for the same edits, the time from edit.php returning
to the bot's own log line "saved page=TITLE" (same machine clock) and the difference of the two
revisions' MediaWiki timestamps (1-second resolution). Prints one line per edit on stderr and
the summary on stdout.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

STAGES = ["selection", "involvement", "planning", "agreement", "implementation",
          "evaluation", "communication", "iteration", "closed"]
BOT_USER = "Partnerbot"
POLL_S = 0.05
TIMEOUT_S = 60.0
STATUS_PAGE = "User:Partnerbot/Status"
STATUS_MAX_S = 30.0
QUIET_S = 5.0
QUIET_MAX_S = 60.0


def api(port: int, **params) -> dict:
    params = {"format": "json", "formatversion": "2", **params}
    url = f"http://127.0.0.1:{port}/api.php?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


def revisions(port: int, title: str, limit: int, content: bool = False) -> list:
    props = "ids|timestamp|user" + ("|content" if content else "")
    data = api(port, action="query", prop="revisions", titles=title, rvlimit=str(limit),
               rvprop=props, rvslots="main")
    return data["query"]["pages"][0].get("revisions", [])


def pct(values: list, p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, -(-len(s) * p // 100) - 1))
    return s[int(k)]


def log_saves(path: str) -> list:
    """(unix time, page) of every "saved" line of the bot's JSON log."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("message") == "saved" and "page" in e and "timestamp" in e:
                ts = datetime.datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00"))
                out.append((ts.timestamp(), e["page"]))
    return out


def wait_quiet(path: str) -> None:
    """Until the bot's log has not grown for QUIET_S (at most QUIET_MAX_S)."""
    start = time.monotonic()
    size, since = os.path.getsize(path), time.monotonic()
    while time.monotonic() - start < QUIET_MAX_S:
        time.sleep(0.1)
        now = os.path.getsize(path)
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= QUIET_S:
            return


def wait_done(port: int, path: str, bot_revid: int) -> bool:
    """Until the status page has a revision newer than bot_revid; else until the log is quiet."""
    start = time.monotonic()
    while time.monotonic() - start < STATUS_MAX_S:
        revs = revisions(port, STATUS_PAGE, 1)
        if revs and revs[0]["revid"] > bot_revid:
            return True
        time.sleep(0.1)
    wait_quiet(path)
    return False


def main() -> None:
    wiki_dir, port, count, edits, bot_log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    devwiki = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy", "devwiki")
    results = []  # (title, t0 wall, polled latency, api timestamp diff, region ok)
    problems = []
    done_after = []  # seconds from the reaction to the bot's status-page save
    for i in range(edits):
        n = (i * count) // edits
        title = f"Partnerships/Proposals/Generated {n:04d}"
        top = revisions(port, title, 1, content=True)[0]
        text = top["slots"]["main"]["content"]
        m = re.search(r"^\|\s*stage\s*=\s*(\w+)\s*$", text, re.M)
        if not m:
            problems.append(f"{title}: no stage line")
            continue
        old = m.group(1)
        new = STAGES[(STAGES.index(old) + 1 + i % 8) % len(STAGES)] if old in STAGES else STAGES[0]
        text = text[:m.start(1)] + new + text[m.end(1):]
        with tempfile.NamedTemporaryFile("w", suffix=".wiki", delete=False) as f:
            f.write(text)
        with open(f.name) as stdin:
            subprocess.run([devwiki, "maint", wiki_dir, "edit.php", "-q", "-u", "Admin", "-s",
                            "bench", title], stdin=stdin, stdout=subprocess.DEVNULL, check=True)
        t0 = time.monotonic()
        t0_wall = time.time()
        os.unlink(f.name)
        latency = None
        while time.monotonic() - t0 < TIMEOUT_S:
            revs = revisions(port, title, 1)
            if revs and revs[0]["user"] == BOT_USER and revs[0]["revid"] > top["revid"]:
                latency = time.monotonic() - t0
                break
            time.sleep(POLL_S)
        if latency is None:
            problems.append(f"{title}: no reaction within {TIMEOUT_S:.0f} s")
            print(f"edit {i + 1:3d} {title}: {old} -> {new}: NO REACTION", file=sys.stderr)
            continue
        two = revisions(port, title, 2, content=True)
        bot_text = two[0]["slots"]["main"]["content"]
        ok = re.search(r"<!-- partnerbot:checklist notice=\d+ stage=" + new + r"\b", bot_text)
        if not ok:
            problems.append(f"{title}: the bot's checklist region does not show stage={new}")
        ts = [datetime.datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")).timestamp()
              for r in two]
        api_diff = ts[0] - ts[1] if two[1]["user"] != BOT_USER else float("nan")
        results.append((title, t0_wall, latency, api_diff, bool(ok)))
        t_done = time.monotonic()
        if not wait_done(port, bot_log, two[0]["revid"]):
            problems.append(f"{title}: no status-page save after the reaction (waited for a quiet log)")
        print(f"edit {i + 1:3d} {title}: {old} -> {new}: {latency:.2f} s, then "
              f"{time.monotonic() - t_done:.2f} s until the bot's work was done", file=sys.stderr)
        done_after.append(time.monotonic() - t_done)

    saves = log_saves(bot_log)
    by_log = []
    for title, t0_wall, _, _, _ in results:
        after = [t for t, page in saves if page == title and t >= t0_wall - 0.01]
        if after:
            by_log.append(min(after) - t0_wall)
    polled = [r[2] for r in results]
    api_diffs = [r[3] for r in results if r[3] == r[3]]

    def line(label: str, values: list, digits: int = 2) -> None:
        if not values:
            print(f"  {label:<46} (none)")
            return
        print(f"  {label:<46} p50 {pct(values, 50):5.{digits}f} s   p95 {pct(values, 95):5.{digits}f} s"
              f"   max {max(values):5.{digits}f} s   (n={len(values)})")

    print(f"  reacted {len(results)}/{edits} edits; checklist region shows the new stage on "
          f"{sum(r[4] for r in results)}/{len(results)}")
    line("wall clock, edit.php return -> API shows bot", polled)
    line("bot log 'saved' - edit.php return", by_log)
    line("API revision timestamps (1 s resolution)", api_diffs, 0)
    line("reaction -> work done (status page saved)", done_after)
    slow = sorted(results, key=lambda r: -r[2])[:3]
    print("  slowest: " + ", ".join(f"{r[0].rsplit('/', 1)[1]} {r[2]:.2f} s" for r in slow))
    for p in problems:
        print(f"  PROBLEM: {p}")


if __name__ == "__main__":
    main()
