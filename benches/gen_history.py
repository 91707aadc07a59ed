#!/usr/bin/env python3
"""Writes a MediaWiki XML dump of one proposal with N revisions, revision i adding vote i
signed by "Voter i" and saved by that user (for benches/history.sh)."""
import sys
from xml.sax.saxutils import escape

HEAD = ("{{Partnership proposal|partner=Long history|partner_type=organization|contact=Voter 0"
        "|stage=planning|support_closes=2099-01-01}}\nA proposal with a long history.\n\n"
        "== Community support ==\n=== Support ===\n")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    out = sys.stdout
    out.write('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">\n')
    out.write("<page>\n<title>Partnerships/Proposals/Long history</title>\n<ns>0</ns>\n")
    lines = []
    for i in range(count):
        lines.append(f"# Support [[User:Voter {i}|Voter {i}]] {i % 24:02d}:{i % 60:02d}, "
                     f"{1 + i % 28} March 2026 (UTC)")
        text = escape(HEAD + "\n".join(lines) + "\n=== Oppose ===\n=== Neutral ===\n")
        out.write(
            f"<revision>\n<id>{1000 + i}</id>\n<timestamp>2026-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z</timestamp>\n"
            f"<contributor><username>Voter {i}</username></contributor>\n"
            "<model>wikitext</model>\n<format>text/x-wiki</format>\n"
            f'<text xml:space="preserve">{text}</text>\n</revision>\n'
        )
    out.write("</page>\n</mediawiki>\n")


if __name__ == "__main__":
    main()
