use super::*;
use crate::analyse::tally::signature::SiteNames;

fn lines_of(text: &str) -> Vec<VoteLine> {
    let masked = wikitext::mask(text);
    let sections = wikitext::sections(text, &masked);
    let sig = SignatureRules::new(&SiteNames::english());
    vote_lines(text, &masked, &sections, &LineRules::default(), &sig)
        .map(|(_, l)| l)
        .unwrap_or_default()
}

const TS: &str = "10:12, 3 March 2026 (UTC)";

#[test]
fn top_level_items_of_position_subsections_only() {
    let text = format!(
        "== Plan ==\n# not a vote [[User:P|P]] {TS}\n\
         == Community support ==\nintro [[User:I|I]] {TS}\n\
         === '''Support''' ===\n# yes [[User:A|A]] {TS}\n#: reply [[User:B|B]] {TS}\n## nested [[User:C|C]] {TS}\n#* x [[User:D|D]] {TS}\n: colon [[User:E|E]] {TS}\n* star [[User:F|F]] {TS}\n#\n\
         === Oppose ===\n# no [[User:G|G]] {TS}\n\
         === Comments ===\n# comment [[User:H|H]] {TS}\n\
         === Neutral ===\n# meh [[User:J|J]] {TS}\n\
         == Next ==\n# after [[User:K|K]] {TS}\n"
    );
    let got: Vec<(Position, String)> = lines_of(&text)
        .into_iter()
        .map(|l| (l.position, l.signature.unwrap().user))
        .collect();
    assert_eq!(
        got,
        [
            (Position::Support, "A".into()),
            (Position::Support, "F".into()),
            (Position::Oppose, "G".into()),
            (Position::Neutral, "J".into()),
        ]
    );
}

#[test]
fn struck_quoted_commented_and_unsigned_lines() {
    let text = format!(
        "== Community support ==\n=== Support ===\n\
         # <s>yes [[User:A|A]] {TS}</s>\n\
         # yes <del>[[User:B|B]] {TS}</del>\n\
         # {{{{s|yes [[User:C|C]] {TS}}}}}\n\
         # yes <span>[[User:D|D]]</span> {TS}\n\
         # <blockquote>[[User:E|E]] {TS}</blockquote> quoted only\n\
         # <!-- [[User:F|F]] {TS} --> hidden\n\
         # <q>[[User:Q|Q]] {TS}</q>\n\
         # I agree {{{{unsigned|Ghost_user|3 March 2026}}}}\n\
         # also {{{{unsigned2|{TS}|Other}}}}\n\
         # <s>struck without closing [[User:H|H]] {TS}\n"
    );
    let l = lines_of(&text);
    let facts: Vec<(bool, Option<String>, Option<String>)> = l
        .iter()
        .map(|l| {
            (
                l.struck,
                l.signature.as_ref().map(|s| s.user.clone()),
                l.unsigned_user.clone(),
            )
        })
        .collect();
    assert_eq!(facts[0], (true, Some("A".into()), None));
    assert_eq!(facts[1], (true, Some("B".into()), None));
    assert_eq!(facts[2], (true, Some("C".into()), None));
    assert_eq!(
        facts[3],
        (false, Some("D".into()), None),
        "<span> is not <s>"
    );
    assert_eq!(
        facts[4],
        (false, None, None),
        "a blockquote is never a signature"
    );
    assert_eq!(
        facts[5],
        (false, None, None),
        "a comment is never a signature"
    );
    assert_eq!(facts[6], (false, None, None), "a <q> is never a signature");
    assert_eq!(facts[7], (false, None, Some("Ghost user".into())));
    assert_eq!(facts[8].2.as_deref(), Some("Other"));
    assert!(facts[9].0);
}

#[test]
fn heading_case_and_formatting_and_no_section() {
    let text = format!("== COMMUNITY SUPPORT ==\n=== <b> Endorse </b> ===\n# [[User:A|A]] {TS}\n");
    assert_eq!(lines_of(&text).len(), 1);
    assert!(
        lines_of(&format!(
            "== Other ==\n=== Support ===\n# [[User:A|A]] {TS}\n"
        ))
        .is_empty()
    );
}

proptest::proptest! {
    #[test]
    fn never_panics(body in "[#*:=<>/sdelq\\[\\]{}|a-zA-Z0-9 \n-]{0,300}") {
        let _ = lines_of(&format!("== Community support ==\n=== Support ===\n{body}"));
    }
}
