#!/usr/bin/env python3
"""Writes a MediaWiki XML dump of N generated partnership proposals (for benches/run_once.sh).

Deterministic: the same N gives the same pages. Stages cycle through the process; every tenth
page has deliberate problems; each has a community-support section of VOTES signed votes.
"""
import sys
from xml.sax.saxutils import escape

STAGES = ["selection", "involvement", "planning", "agreement", "implementation",
          "evaluation", "communication", "iteration", "closed"]


def page(n: int, votes: int) -> str:
    stage = STAGES[n % len(STAGES)]
    bad = n % 10 == 9
    lines = [
        "{{Partnership proposal",
        f"| partner = Generated Partner {n}",
        "| partner_type = organization" if not bad else "| partner_type = company",
        f"| partner_url = https://partner{n}.example.org/",
        "| mission = Free access to local heritage.",
        "| model = low-touch",
        f"| capacity = {n % 40}",
        f"| goal = Goal number {n}",
        "| community = Wikimedians of Somewhere",
        f"| contact = User {n % 17}",
        f"| stage = {stage}",
        "| start = 2026-01-15" if not bad else "| start = 2026-02-30",
        "| outcome_targets = 100 images",
        "}}",
        f"Generated proposal {n} for the partnerbot benchmark.",
        "",
        "== Plan ==",
        "A plan with some prose. " * 20,
        "",
        "== Community support ==",
        "=== Support ===",
    ]
    for v in range(votes):
        lines.append(f"# '''Support''' Vote {v}. [[User:Voter {v}|Voter {v}]] ([[User talk:Voter {v}|talk]]) "
                     f"{10 + v % 12}:{v % 60:02d}, {1 + v % 28} March 2026 (UTC)")
    lines += ["=== Oppose ===", "=== Neutral ===", ""]
    return "\n".join(lines)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    votes = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    out = sys.stdout
    out.write('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">\n')
    for n in range(count):
        text = escape(page(n, votes))
        out.write(
            "<page>\n"
            f"<title>Partnerships/Proposals/Generated {n:04d}</title>\n<ns>0</ns>\n"
            "<revision>\n<timestamp>2026-03-01T00:00:00Z</timestamp>\n"
            "<contributor><username>Admin</username></contributor>\n"
            "<model>wikitext</model>\n<format>text/x-wiki</format>\n"
            f'<text xml:space="preserve">{text}</text>\n'
            "</revision>\n</page>\n"
        )
    out.write("</mediawiki>\n")


if __name__ == "__main__":
    main()
