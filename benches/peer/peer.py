#!/usr/bin/env python3
"""The peer of benches/peer.sh: partnerbot's community-support tally written the usual Python
way, with Pywikibot (reads, account look-ups, history, saves) and mwparserfromhell (sections,
headings, templates, links). Not part of the bot; it exists only to be measured against it.

Commands:
  run PREFIX             one pass over every page under PREFIX that embeds {{Partnership
                         proposal}} on the wiki of the Pywikibot config in $PYWIKIBOT_DIR:
                         PreloadingGenerator batches of 50 (with the pages' templates, for
                         page.save()'s {{nobots}} check), one list=users request per batch, one
                         history request and one save per page (the tally region the bot
                         writes); prints the requests it sent by kind and a summary.
  kinds LOG              api.php requests of a server.log slice, by kind.
  compare API_A API_B PREFIX
                         whether the tally regions of the pages under PREFIX on two wikis hold
                         the same figures.
  pages DIR COUNT        writes the pages benches/analyse.rs measures (500 votes, 500 replies)
                         to DIR/NNNN.wiki, byte for byte as its proposal_page() builds them.
  parse DIR              pages/s of mwparserfromhell.parse() alone, then of parse() + walking
                         sections, headings, templates and wikilinks, on the pages in DIR.
  tally DIR              pages/s of this script's whole analysis (parse, vote lines,
                         signatures, count, region, new text) of the pages in DIR.

Rules mirrored from README "How votes are counted" and src/analyse/tally/: the level-2
"Community support" section; its Support/Endorse/Endorsements, Oppose/Object, Neutral/Abstain
subsections (heading text without bold or tags, any case) up to the next heading; only lines
starting with one '#' or '*' (not '#:', '##', '#*', '*:', ';'); comments, <nowiki> and <pre>
never make a vote or signature (only where they are nodes of the section body: inside a
template or link they are not masked); <blockquote>/<q> never sign; a line is struck when its
first text or its signature lies inside <s>/<del>/<strike> or {{s}}/{{strike}}/
{{strikethrough}}/{{del}}; the signature is the last user link (User:, User talk:, the built-in
foreign namespace names, Special:Contributions/, interwiki prefixes, Wikimedia URLs) before the
line's last "HH:MM, D Month YYYY (UTC)"; {{unsigned|NAME}} / {{unsigned2|date|NAME}} name the
voter of an unsigned line; reasons in the bot's order (struck, unsigned, ip, temporary-account,
unknown-user, ineligible [blocked], forged, late, superseded: each user's latest vote by time,
then page order). Not mirrored: on-wiki configuration, min_edits/min_age_days (0 by default),
the seal of the verified list (it needs the bot's secret), history deeper than one request of
50 revisions, the checklist region and category the bot also writes.
"""
import ipaddress
import math
import os
import re
import sys
import time
import urllib.parse

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, Tag, Template, Text, Wikilink

POSITIONS = {
    "support": "support", "endorse": "support", "endorsements": "support",
    "oppose": "oppose", "object": "oppose",
    "neutral": "neutral", "abstain": "neutral",
}
SECTION_TITLES = {"community support"}
UNSIGNED = {"unsigned": 1, "unsigned2": 2, "unsignedip": 1, "unsignedip2": 2}
STRIKE_TEMPLATES = {"s", "strike", "strikethrough", "del"}
OPAQUE_TAGS = {"nowiki", "pre", "syntaxhighlight", "source", "math", "templatedata"}
FOREIGN_USER_NAMESPACES = {
    "benutzer", "benutzerin", "benutzer diskussion", "benutzerin diskussion", "utilisateur",
    "utilisatrice", "discussion utilisateur", "discussion utilisatrice", "usuario", "usuaria",
    "usuario discusión", "usuaria discusión", "utente", "discussioni utente", "usuário",
    "usuária", "utilizador", "utilizadora", "usuário discussão", "usuária discussão",
    "utilizador discussão", "utilizadora discussão", "wikipedysta", "wikipedystka",
    "dyskusja wikipedysty", "dyskusja wikipedystki", "użytkownik", "użytkowniczka",
    "dyskusja użytkownika", "dyskusja użytkowniczki", "gebruiker", "overleg gebruiker",
    "участник", "участница", "обсуждение участника", "обсуждение участницы", "利用者",
    "利用者‐会話", "利用者-会話", "user", "用户", "用戶", "user talk", "用户讨论", "用戶討論",
    "مستخدم", "مستخدمة", "نقاش المستخدم", "نقاش المستخدمة", "användare", "användardiskussion",
}
INTERWIKI = {"m", "meta", "w", "wikipedia", "commons", "de", "fr", "es", "it", "pt", "pl", "nl",
             "ru", "ja", "zh", "ar", "sv", "en"}
WIKIMEDIA_HOSTS = ("wikipedia.org", "wikimedia.org", "wiktionary.org", "wikibooks.org",
                   "wikiquote.org", "wikisource.org", "wikinews.org", "wikiversity.org",
                   "wikivoyage.org", "wikidata.org", "mediawiki.org", "wikifunctions.org")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
TIMESTAMP = re.compile(r"(\d{1,2}):(\d{2}), (\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4}) \(UTC\)")
STRIKE_TAG = re.compile(r"<(s|del|strike)(?=[\s>])[^>]*>", re.I)
QUOTE_TAG = re.compile(r"<(blockquote|q)(?=[\s>])", re.I)
EXPLAIN = {
    "struck": "struck out",
    "unsigned": "no signature (user link and timestamp) and no &#123;&#123;unsigned&#125;&#125;",
    "ip": "signed by an IP address",
    "temporary-account": "signed by a temporary account",
    "unknown-user": "the signing account does not exist",
    "ineligible": "the account does not meet the eligibility rules",
    "forged": "the page history shows someone else added this signature",
    "late": "signed after the support period closed",
    "superseded": "the same user voted again later; only the latest vote counts",
}
MIN_SUPPORT, MIN_PERCENT = 5, 66.0
DOCS_PAGE = "User:Partnerbot"
USER_NAMESPACES = {"user", "user talk"} | FOREIGN_USER_NAMESPACES


def key(s):
    return " ".join(s.replace("_", " ").split()).lower()


def heading_key(title):
    plain = re.sub(r"<[^>]*>", "", title).replace("'", "")
    return " ".join(plain.split()).lower()


def normalize_user(name):
    name = urllib.parse.unquote(name)
    name = " ".join(name.replace("_", " ").split())
    if not name or any(c in name for c in "[]{}|<>#"):
        return None
    if ":" in name:
        try:
            if isinstance(ipaddress.ip_address(name), ipaddress.IPv6Address):
                return name.upper()
        except ValueError:
            pass
    return name[0].upper() + name[1:]


def is_ip(name):
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


def is_temporary(name):
    return name.startswith("~") and name[1:2].isdigit()


def user_of_title(target):
    rest = urllib.parse.unquote(target.strip()).lstrip(":")
    if ":" not in rest:
        return None
    ns, tail = rest.split(":", 1)
    while key(ns) in INTERWIKI and ":" in tail:
        ns, tail = tail.split(":", 1)
    ns = key(ns)
    tail = tail.split("#", 1)[0]
    if ns in USER_NAMESPACES:
        return None if "/" in tail else normalize_user(tail)
    if ns == "special" and "/" in tail:
        page, name = tail.split("/", 1)
        if key(page) in ("contributions", "contribs"):
            return normalize_user(name)
    return None


def user_of_url(url):
    parsed = urllib.parse.urlparse(url)
    host = (parsed.hostname or "").lower()
    if not any(host == h or host.endswith("." + h) for h in WIKIMEDIA_HOSTS):
        return None
    if parsed.path.startswith("/wiki/"):
        return user_of_title(parsed.path[len("/wiki/"):])
    title = urllib.parse.parse_qs(parsed.query).get("title")
    return user_of_title(title[0]) if title else None


def masked_text(nodes):
    """The nodes' text with comments and opaque tags blanked (same length and line breaks)."""
    out = []
    for node in nodes:
        s = str(node)
        if isinstance(node, Comment) or (isinstance(node, Tag) and str(node.tag).lower() in OPAQUE_TAGS):
            s = re.sub(r"[^\n]", " ", s)
        out.append(s)
    return "".join(out)


def blank_quotes(line):
    """<blockquote>/<q> content blanked: part of the line, never its signature."""
    for m in list(QUOTE_TAG.finditer(line)):
        tag = m.group(1).lower()
        end = line.lower().find(f"</{tag}>", m.start())
        end = len(line) if end < 0 else end + len(tag) + 3
        line = line[:m.start()] + " " * (end - m.start()) + line[end:]
    return line


def signature(body):
    """(user, (Y, M, D, h, m), start of the user link) of a line, or None."""
    last = None
    utc = body.rfind("(UTC)")
    while utc >= 0:
        window_from = max(0, utc - 32)
        found = list(TIMESTAMP.finditer(body, window_from, utc + 5))
        if found:
            last = found[-1]
            break
        utc = body.rfind("(UTC)", 0, utc)
    if last is None:
        return None
    h, mi, d, mo, y = last.groups()
    at = (int(y), MONTHS.index(mo) + 1, int(d), int(h), int(mi))
    before = mwparserfromhell.parse(body[:last.start()])
    best = None
    for link in before.ifilter(forcetype=(Wikilink, ExternalLink), recursive=True):
        if isinstance(link, Wikilink):
            user = user_of_title(str(link.title))
        elif link.brackets:
            user = user_of_url(str(link.url))
        else:
            continue
        if user:
            pos = body.rfind(str(link), 0, last.start())
            if best is None or pos > best[1]:
                best = (user, pos)
    if best is None:
        return None
    return best[0], at, best[1]


def line_templates(text):
    return mwparserfromhell.parse(text).filter_templates(recursive=True)


def vote_lines(code):
    """(insert offset after the section heading, existing-region-free lines) or None."""
    sections = code.get_sections(levels=[2])
    for section in sections:
        heading = section.nodes[0]
        if heading_key(str(heading.title)) in SECTION_TITLES:
            break
    else:
        return None
    index = code.index(heading)
    offset = sum(len(str(n)) for n in code.nodes[: index + 1])
    lines = []
    for sub in section.get_sections(flat=True, include_lead=False):
        head = sub.nodes[0]
        if not isinstance(head, Heading) or head.level < 3:
            continue
        position = POSITIONS.get(heading_key(str(head.title)))
        if position is None:
            continue
        original = "".join(str(n) for n in sub.nodes[1:])
        masked = masked_text(sub.nodes[1:])
        for text, body in zip(original.split("\n"), masked.split("\n")):
            body = body.rstrip("\r")
            if not body or body[0] not in "#*" or body[1:2] in ("#", "*", ":", ";") \
                    or not body[1:].strip():
                continue
            text = text.rstrip("\r")
            lines.append(read_line(position, text, blank_quotes(body)))
    return offset, lines


def read_line(position, text, body):
    sig = signature(body)
    spans = []
    if "<" in body or "{{" in body:
        lower = body.lower()
        for m in STRIKE_TAG.finditer(body):
            tag = m.group(1).lower()
            end = lower.find(f"</{tag}>", m.end())
            spans.append((m.start(), len(body) if end < 0 else end + len(tag) + 3))
    templates = line_templates(text) if "{{" in body else []
    for t in templates:
        if str(t.name).strip().lower() in STRIKE_TEMPLATES:
            start = text.find(str(t))
            spans.append((start, start + len(str(t))))
    first = next((i for i, c in enumerate(body) if c not in "#*" and not c.isspace()), None)
    inside = lambda at: any(a <= at < b for a, b in spans)  # noqa: E731
    struck = (sig is not None and inside(sig[2])) or (first is not None and inside(first))
    unsigned = None
    if sig is None:
        for t in reversed(templates):
            index = UNSIGNED.get(str(t.name).strip().lower())
            if index is None:
                continue
            named = t.get(str(index)).value if t.has(str(index)) else None
            unsigned = normalize_user(str(named).strip()) if named is not None else None
            if unsigned:
                break
    return {"position": position, "text": text, "sig": sig, "unsigned": unsigned,
            "struck": struck}


def voter(line):
    return line["sig"][0] if line["sig"] else line["unsigned"]


def stamp(at):
    y, mo, d, h, mi = at
    return f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}"


def line_key(line):
    if line["sig"]:
        return ("s", line["sig"][0], stamp(line["sig"][1]))
    if line["unsigned"]:
        return ("u", unsigned_key(line["text"]))
    return None


def unsigned_key(text):
    cut = text.lower().find("{{unsigned")
    return (text if cut < 0 else text[:cut]).strip()


def key_hash(k):
    h = 0x811C9DC5
    for b in "|".join(k).encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"


def count(lines, accounts, authors, closes, today):
    """accounts: user -> {exists, blocked}; authors: line key -> first author (or None)."""
    judged = []
    for n, line in enumerate(lines):
        user, at = voter(line), line["sig"][1] if line["sig"] else None
        reason = None
        if line["struck"]:
            reason = "struck"
        elif user is None:
            reason = "unsigned"
        elif is_ip(user):
            reason = "ip"
        elif is_temporary(user):
            reason = "temporary-account"
        elif not accounts.get(user, {}).get("exists"):
            reason = "unknown-user"
        elif accounts[user].get("blocked"):
            reason = "ineligible"
        elif authors is not None and authors.get(line_key(line), user) != user:
            reason = "forged"
        elif at and closes and at[:3] > closes:
            reason = "late"
        judged.append((n, user, at, reason))
    latest = {}
    for n, user, at, reason in judged:
        if user and reason is None:
            cand = (at or (0,), n)
            if user not in latest or cand >= latest[user]:
                latest[user] = cand
    totals = {"support": 0, "oppose": 0, "neutral": 0}
    ignored = []
    for n, user, at, reason in judged:
        if reason is None and user and latest[user][1] != n:
            reason = "superseded"
        if reason:
            ignored.append((user, lines[n]["position"], reason, lines[n]["text"]))
        else:
            totals[lines[n]["position"]] += 1
    decisive = totals["support"] + totals["oppose"]
    percent = totals["support"] * 100.0 / decisive if decisive else None
    if closes is None or today <= closes:
        status = "open"
    elif totals["support"] >= MIN_SUPPORT and percent is not None and percent >= MIN_PERCENT:
        status = "secured"
    else:
        status = "not-secured"
    return totals, ignored, percent, status


def inert(value):
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;", "{": "&#123;",
             "}": "&#125;", "|": "&#124;", "~": "&#126;", "\n": " ", "\r": " ", "\t": " "}
    out = "".join(table.get(c, c) for c in value)
    return out.replace("__", "_&#95;").replace("''", "'&#39;")


def number(x):
    x = math.floor(x * 10 + 0.5) / 10
    return str(int(x)) if x == int(x) else str(x)


def region(tally, as_of, verified, forged, closes):
    totals, ignored, percent, status = tally
    body = ["{{Partnership support tally",
            f"| support = {totals['support']}", f"| oppose = {totals['oppose']}",
            f"| neutral = {totals['neutral']}", f"| ignored = {len(ignored)}"]
    if percent is not None:
        body.append(f"| percent = {number(percent)}")
    body += [f"| threshold = {number(MIN_PERCENT)}", f"| min_votes = {MIN_SUPPORT}",
             f"| result = {status}"]
    if closes:
        body.append("| closes = %04d-%02d-%02d" % closes)
    body.append(f"| as_of = revision {as_of}")
    if ignored:
        body.append("| details = #partnerbot-tally-audit")
    body.append("}}")
    if ignored:
        body.append('<div class="mw-collapsible mw-collapsed" id="partnerbot-tally-audit">\n'
                    "'''Lines not counted''' and why:\n<div class=\"mw-collapsible-content\">")
        for user, position, reason, line in ignored:
            more = "…" if len(line) > 120 else ""
            body.append(f"* {inert(user) if user else '(no signature)'} ({position}): "
                        f"{EXPLAIN[reason]} – <code>{inert(line[:120])}{more}</code>")
        body.append("</div></div>")
    attrs = [f"as_of={as_of}"]
    if forged:
        attrs.append("forged=" + ",".join(sorted(forged)))
    if verified:
        attrs.append("verified=" + ",".join(sorted(verified)))
    note = (f"Counted by partnerbot by public rules ([[{DOCS_PAGE}]]); rewritten when the votes "
            "change. Vote below, in the Support, Oppose or Neutral subsection, and sign with four "
            "tildes")
    return (f"<!-- partnerbot:tally {' '.join(attrs)} | {note} -->\n" + "\n".join(body)
            + "\n<!-- /partnerbot:tally -->")


REGION = re.compile(r"<!-- partnerbot:tally[ -].*?<!-- /partnerbot:tally -->", re.S)


def closes_of(code):
    for t in code.ifilter_templates(recursive=False):
        if str(t.name).strip().lower() == "partnership proposal" and t.has("support_closes"):
            m = re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})\s*", str(t.get("support_closes").value))
            return tuple(int(g) for g in m.groups()) if m else None
    return None


def analyse(text):
    """Parse once, drop our old region from the view; (code, offset, lines, closes) or None."""
    code = mwparserfromhell.parse(text)
    found = vote_lines(code)
    if found is None:
        return None
    offset, lines = found
    return code, offset, lines, closes_of(code)


def new_text(text, offset, tally_region):
    existing = REGION.search(text)
    if existing:
        return text[:existing.start()] + tally_region + text[existing.end():]
    before, after = text[:offset], text[offset:]
    lead = "" if not before or before.endswith("\n") else "\n"
    tail = "" if after.startswith("\n") else "\n"
    return before + lead + tally_region + tail + after


def authors_from(revisions, keys):
    """First author of each key: walking newest to oldest, the last revision still holding it."""
    authors, pending = {}, set(keys)
    for user, text in revisions:
        if not pending:
            break
        found = analyse(text)
        present = {line_key(l) for l in found[2]} if found else set()
        for k in list(pending):
            if k in present:
                authors[k] = user
            else:
                pending.discard(k)
    return authors


TODAY = tuple(time.gmtime()[:3])


def run(prefix):
    import pywikibot
    from pywikibot import pagegenerators

    from pywikibot.data.api import Request

    # Pywikibot POSTs every request to a wiki without HTTPS, so the server's log cannot tell
    # them apart: count what was sent, by kind.
    sent = {}
    http_request = Request._http_request

    def counting(self, use_get, uri, data, headers, paramstring):
        q = urllib.parse.parse_qs(paramstring)
        parts = [q.get("action", ["?"])[0]]
        for module in ("meta", "list", "prop", "generator"):
            if module in q:
                parts.append(f"{module}={q[module][0]}")
        kind = " ".join(parts)
        sent[kind] = sent.get(kind, 0) + 1
        return http_request(self, use_get, uri, data, headers, paramstring)

    Request._http_request = counting
    site = pywikibot.Site()
    site.login()
    template = pywikibot.Page(site, "Template:Partnership proposal")
    pages = (p for p in template.embeddedin(namespaces=[0]) if p.title().startswith(prefix))
    seen = edited = failed = 0
    batch = []

    def flush(batch):
        nonlocal edited, failed
        found = {}
        for page in batch:
            if page.exists():
                found[page] = analyse(page.text)
        names = sorted({voter(l) for f in found.values() if f for l in f[2]
                        if voter(l) and not is_ip(voter(l))})
        accounts = {}
        if names:
            for info in site.users(names):
                accounts[info["name"]] = {"exists": "missing" not in info and "invalid" not in info,
                                          "blocked": "blockid" in info}
        for page, f in found.items():
            if f is None:
                continue
            code, offset, lines, closes = f
            keys = {line_key(l) for l in lines} - {None}
            authors = None
            if keys:
                revisions = [(r.user, r.text or "") for r in page.revisions(content=True, total=50)]
                authors = authors_from(revisions, keys)
            tally = count(lines, accounts, authors, closes, TODAY)
            verified = {key_hash(k) for k in keys}
            forged = {key_hash(k) for k in keys if authors and authors.get(k, k[1]) != k[1]}
            text = new_text(page.text, offset, region(tally, page.latest_revision_id, verified,
                                                      forged, closes))
            if text == page.text:
                continue
            totals = tally[0]
            page.text = text
            try:
                page.save(summary=f"peer: support {totals['support']}, oppose {totals['oppose']}, "
                                  f"neutral {totals['neutral']}", minor=True, bot=True, quiet=True)
                edited += 1
            except pywikibot.exceptions.Error as e:
                failed += 1
                print(f"peer: could not save {page.title()}: {e}", file=sys.stderr)

    # templates=True: the batch read also brings each page's templates, which page.save()
    # needs for its {{bots}}/{{nobots}} check (the bot checks them too); without it every save
    # costs one more request (prop=templates of that page).
    for page in pagegenerators.PreloadingGenerator(pages, groupsize=50, quiet=True,
                                                   templates=True):
        seen += 1
        batch.append(page)
        if len(batch) == 50:
            flush(batch)
            batch = []
    if batch:
        flush(batch)
    print("peer: requests sent by kind: "
          + ", ".join(f"{k} {v}" for k, v in sorted(sent.items(), key=lambda kv: -kv[1])))
    print(f"peer: pages seen {seen}, edited {edited}, failed {failed}, requests sent "
          f"{sum(sent.values())}")


def proposal_page(n, votes):
    """benches/analyse.rs proposal_page(), byte for byte."""
    text = ("{{Partnership proposal\n| partner = Partner %d\n| partner_type = organization\n"
            "| contact = Ana Lopes, [[User:Rui Costa|Rui]]\n| stage = agreement\n| goal = Goal\n"
            "| agreement = [[Agreement/%d]]\n| start = 2026-01-15\n}}\nIntro.\n\n== Plan ==\n%s\n"
            "== Community support ==\n=== Support ===\n"
            % (n, n, "Prose with [[links]] and {{templates|a=b}}. " * 30))
    for v in range(votes):
        text += (f"# '''Support''' reason {v} <!-- c --> [[User:Voter {v}|V{v}]] "
                 f"([[User talk:Voter {v}|talk]]) 10:{v % 60:02d}, 3 March 2026 (UTC)\n"
                 "#: reply [[User:Other|O]] 11:00, 3 March 2026 (UTC)\n")
    return text + "=== Oppose ===\n=== Neutral ===\n"


def load(folder):
    names = sorted(f for f in os.listdir(folder) if f.endswith(".wiki"))
    texts = []
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            texts.append(f.read())
    return texts


def timed(texts, work, tries=3):
    """Best of `tries` runs, each of rounds over all pages until at least 3 s have passed:
    (pages/s, pages of the best run)."""
    best = (0.0, 0)
    for _ in range(tries):
        done, start = 0, time.perf_counter()
        while True:
            for text in texts:
                work(text)
            done += len(texts)
            elapsed = time.perf_counter() - start
            if elapsed >= 3.0:
                break
        best = max(best, (done / elapsed, done))
    return best


def parse_walk(text):
    code = mwparserfromhell.parse(text)
    n = 0
    for section in code.get_sections(flat=True, include_lead=False):
        n += len(str(section.nodes[0].title).strip())
    for template in code.ifilter_templates(recursive=True):
        n += len(template.params)
    for link in code.ifilter_wikilinks(recursive=True):
        n += len(str(link.title))
    return n


ALL_EXIST = {f"Voter {v}": {"exists": True, "blocked": False} for v in range(500)}


def tally_walk(text):
    code, offset, lines, closes = analyse(text)
    tally = count(lines, ALL_EXIST, None, closes, (2026, 11, 26))
    keys = {line_key(l) for l in lines} - {None}
    return new_text(text, offset, region(tally, 1, {key_hash(k) for k in keys}, set(), closes)), tally


def tallies(api, prefix):
    """title -> the tally template's figures in the region, for every page under prefix."""
    import json
    import urllib.request
    out, cont = {}, {}
    while True:
        query = {"action": "query", "generator": "allpages", "gapprefix": prefix,
                 "gapnamespace": 0, "gaplimit": 10, "prop": "revisions", "rvprop": "content",
                 "rvslots": "main", "format": "json", "formatversion": 2, **cont}
        with urllib.request.urlopen(api + "?" + urllib.parse.urlencode(query)) as r:
            data = json.load(r)
        for page in data.get("query", {}).get("pages", []):
            if not page.get("revisions"):
                continue  # over the API's result size: in a later response of the batch
            text = page["revisions"][0]["slots"]["main"]["content"]
            found = REGION.search(text)
            figures = re.findall(r"^\| (support|oppose|neutral|ignored|percent|result) = (.*)$",
                                 found.group(0) if found else "", re.M)
            out[page["title"]] = tuple(figures)
        if "continue" not in data:
            return out
        cont = data["continue"]


def compare(api_a, api_b, prefix):
    a, b = tallies(api_a, prefix), tallies(api_b, prefix)
    same = sum(1 for t in a if a[t] and a[t] == b.get(t))
    with_region = sum(1 for t in a if a[t]), sum(1 for t in b if b[t])
    print(f"tallies: regions on {with_region[0]} (partnerbot) and {with_region[1]} (peer) of "
          f"{len(a)} pages; same figures (support, oppose, neutral, ignored, percent, result) "
          f"on {same}")
    for t in sorted(a):
        if a[t] != b.get(t):
            print(f"  first difference: {t}: partnerbot {a[t]}, peer {b.get(t)}")
            break


def kinds(log):
    """api.php requests of a server.log slice by kind: POST, or the GET's query modules."""
    counted = {}
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.search(r"\]: (GET|POST) /api\.php(\?\S*)?", line)
            if not m:
                continue
            if m.group(1) == "POST":
                kind = "POST"
            else:
                q = urllib.parse.parse_qs((m.group(2) or "?")[1:])
                parts = [q.get("action", ["?"])[0]]
                for module in ("meta", "list", "prop", "generator"):
                    if module in q:
                        parts.append(f"{module}={q[module][0]}")
                kind = "GET " + " ".join(parts)
            counted[kind] = counted.get(kind, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counted.items(), key=lambda kv: -kv[1]))


def main():
    command = sys.argv[1]
    if command == "run":
        run(sys.argv[2])
    elif command == "kinds":
        print(kinds(sys.argv[2]))
    elif command == "compare":
        compare(*sys.argv[2:5])
    elif command == "pages":
        folder, n = sys.argv[2], int(sys.argv[3])
        os.makedirs(folder, exist_ok=True)
        for i in range(n):
            with open(os.path.join(folder, f"{i:04d}.wiki"), "w", encoding="utf-8") as f:
                f.write(proposal_page(i, 500))
        size = sum(len(proposal_page(i, 500).encode()) for i in range(n)) / n / 1024
        print(f"pages: {n} written, {size:.1f} KiB each")
    elif command in ("parse", "tally"):
        texts = load(sys.argv[2])
        if command == "parse":
            rate, done = timed(texts, mwparserfromhell.parse)
            print(f"mwparserfromhell {mwparserfromhell.__version__} parse() only "
                  f"(C tokenizer: {mwparserfromhell.parser.use_c}): {rate:.1f} pages/s (best of 3, {done} pages)")
        if command == "tally":
            _, tally = tally_walk(texts[0])
            assert tally[0]["support"] == 500 and not tally[1], tally[:1]
        rate, done = timed(texts, parse_walk if command == "parse" else tally_walk)
        what = ("mwparserfromhell parse + walk (sections, headings, templates, wikilinks)"
                if command == "parse" else "peer analysis (parse, vote lines, signatures, count, region)")
        print(f"{what}: {rate:.1f} pages/s (best of 3, {done} pages)")
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
