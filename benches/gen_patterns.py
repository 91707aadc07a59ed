#!/usr/bin/env python3
"""Writes a MediaWiki XML dump of N generated learning patterns (for benches/index.sh).

Usage: gen_patterns.py [N=2000] [PROPOSALS=500]

Deterministic: the same arguments give the same pages. Each pattern is titled
"Learning patterns/Generated pattern n", has a Probox (except every 50th), about 3 KB of prose
and 5 signed endorsements by "Endorser 0".."Endorser 49". Every 10th is in the subcategory
"Category:Partnership learning patterns/Generated" (whose page is written too) instead of the
category itself. Every 3rd links to one of the PROPOSALS pages of benches/gen_proposals.py
("Partnerships/Proposals/Generated 0000"...) that is at the evaluation stage or later, so it is
related to a case study.
"""
import sys
from xml.sax.saxutils import escape

CATEGORY = "Partnership learning patterns"
SUBCATEGORY = f"{CATEGORY}/Generated"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
# gen_proposals.py cycles through 9 stages; those from index 5 ("evaluation") on are case studies.
STAGE_COUNT = 9
CASE_STUDY_STAGES = [5, 6, 7, 8]

PROBLEM = ("Partners new to the Wikimedia projects hesitate to commit staff time, so proposals "
           "number {n} and similar ones stall before anything is delivered.")
SOLUTION = ("Start with a small project that needs little from the partner, deliver visible "
            "results quickly and use the evaluation to propose the next phase (variant {n}).")
PROSE = ("Organizations that have never worked with Wikimedia find it hard to judge what a "
         "partnership will cost them, and a long first meeting rarely helps. ")
SOLUTION_PROSE = ("Offer a pilot where the partner provides something cheap for them and the "
                  "community does most of the work, then report the results in their terms. ")


def case_study_proposal(n: int, proposals: int) -> str | None:
    """A proposal at the evaluation stage or later for pattern n, or None if there is none."""
    candidates = [k for k in range(proposals) if k % STAGE_COUNT in CASE_STUDY_STAGES]
    if not candidates:
        return None
    return f"Partnerships/Proposals/Generated {candidates[n % len(candidates)]:04d}"


def page(n: int, proposals: int) -> str:
    lines = []
    if n % 50 != 7:
        lines += [
            "{{Probox",
            "| project  = Learning patterns",
            f"| problem  = {PROBLEM.format(n=n)}",
            f"| solution = {SOLUTION.format(n=n)}",
            f"| creator  = Pattern author {n % 23}",
            "}}",
        ]
    lines += [
        "== What problem does this solve? ==",
        PROSE * 6,
        "",
        "== What is the solution? ==",
        SOLUTION_PROSE * 6,
        "",
        "== Things to consider ==",
        "* Keep the written agreement short; a one-page letter is usually enough for a pilot.",
        "* Put a date on the evaluation from the start, so the pilot does not drift.",
        "* Credit the partner visibly on the uploaded files and in the report.",
        "",
        "== When to use ==",
        "* For a first partnership with an organization, or for a community doing its first one.",
    ]
    if n % 3 == 0 and (target := case_study_proposal(n, proposals)):
        lines.append(f"* Example: the [[{target}|{target.rsplit('/', 1)[1]}]] project.")
    lines += ["", "== Endorsements =="]
    for e in range(5):
        user = f"Endorser {(n * 7 + e * 11) % 50}"
        day, month, year = 1 + (n + 3 * e) % 28, MONTHS[(n + e) % 12], 2025
        lines.append(f"# Endorse, pattern {n} line {e}. [[User:{user}|{user}]] "
                     f"([[User talk:{user}|talk]]) {(n + e) % 24:02d}:{(n * 13 + e) % 60:02d}, "
                     f"{day} {month} {year} (UTC)")
    lines += ["", "== See also ==", "* [[Partnerships]]", ""]
    lines.append(f"[[Category:{SUBCATEGORY if n % 10 == 3 else CATEGORY}]]")
    return "\n".join(lines)


def write_page(out, title: str, ns: int, timestamp: str, text: str) -> None:
    out.write(
        "<page>\n"
        f"<title>{escape(title)}</title>\n<ns>{ns}</ns>\n"
        f"<revision>\n<timestamp>{timestamp}</timestamp>\n"
        "<contributor><username>Admin</username></contributor>\n"
        "<model>wikitext</model>\n<format>text/x-wiki</format>\n"
        f'<text xml:space="preserve">{escape(text)}</text>\n'
        "</revision>\n</page>\n"
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    proposals = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    out = sys.stdout
    out.write('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">\n')
    write_page(out, f"Category:{SUBCATEGORY}", 14, "2025-01-01T00:00:00Z",
               f"Generated learning patterns for the partnerbot benchmark.\n\n[[Category:{CATEGORY}]]")
    for n in range(count):
        # Creation dates spread over 2025, one page per ~4 hours.
        day, hour = n // 6 % 365, n % 6 * 4
        month_day = _month_day(day)
        write_page(out, f"Learning patterns/Generated pattern {n}", 0,
                   f"2025-{month_day}T{hour:02d}:00:00Z", page(n, proposals))
    out.write("</mediawiki>\n")


def _month_day(day_of_year: int) -> str:
    lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    month = 0
    while day_of_year >= lengths[month]:
        day_of_year -= lengths[month]
        month += 1
    return f"{month + 1:02d}-{day_of_year + 1:02d}"


if __name__ == "__main__":
    main()
