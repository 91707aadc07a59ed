use std::collections::HashMap;

use super::*;
use crate::analyse::page;
use crate::analyse::stages::Stages;
use crate::analyse::tally::signature::SiteNames;
use crate::analyse::tally::{Account, CountRules};

fn fields() -> PatternFields {
    PatternFields {
        infobox: vec!["Probox".into()],
        problem: "problem".into(),
        solution: "solution".into(),
        creator: "creator".into(),
        endorsement_sections: vec!["Endorsements".into()],
    }
}

fn signatures() -> SignatureRules {
    SignatureRules::new(&SiteNames::english())
}

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
}

fn sig(user: &str, day: u32) -> String {
    format!("[[User:{user}|{user}]] ([[User talk:{user}|talk]]) 10:00, {day} March 2026 (UTC)")
}

const PATTERN: &str = "{{Probox
| project  = Learning patterns
| problem  = Partners are ''unsure'' about [[Wikipedia|the projects]].<ref>survey</ref>
| solution = Start {{small|very}} small.
| creator  = [[User:Rui Costa|Rui]]
}}

== When to use ==
* Example: [[Partnerships/Proposals/Porto_Botanical_Garden|Porto]].

== Endorsements ==
# Worked for us. SIG_A
#: Reply, not an endorsement. SIG_B
# <s>Changed my mind. SIG_C</s>
# Again. SIG_A2
# No signature at all.
# Good. SIG_D

== See also ==
# Not an endorsement. SIG_E
";

fn pattern_text() -> String {
    PATTERN
        .replace("SIG_A2", &sig("Marta Silva", 9))
        .replace("SIG_A", &sig("Marta Silva", 1))
        .replace("SIG_B", &sig("Ana Lopes", 2))
        .replace("SIG_C", &sig("Pedro Almeida", 3))
        .replace("SIG_D", &sig("Sofia Martins", 4))
        .replace("SIG_E", &sig("Ellen Harper", 5))
}

fn accounts(names: &[&str]) -> HashMap<String, Account> {
    names
        .iter()
        .map(|n| {
            let account = Account {
                exists: true,
                edits: 10,
                ..Default::default()
            };
            ((*n).to_owned(), account)
        })
        .collect()
}

#[test]
fn a_pattern_gives_its_summaries_creator_links_and_endorsements() {
    let facts = read_pattern(
        &pattern_text(),
        &fields(),
        &LineRules::default(),
        &signatures(),
    );
    assert!(facts.has_infobox);
    assert_eq!(facts.problem, "Partners are unsure about the projects.");
    assert_eq!(facts.solution, "Start small.");
    assert_eq!(facts.creator.as_deref(), Some("Rui Costa"));
    assert!(
        facts
            .links
            .contains("Partnerships/Proposals/Porto Botanical Garden")
    );
    // Five top-level lines: the reply and the "See also" list are not endorsements.
    assert_eq!(facts.endorsements.len(), 5);
    let all = ["Marta Silva", "Pedro Almeida", "Sofia Martins"];
    let tally = endorsement_tally(
        &facts.endorsements,
        &accounts(&all),
        &CountRules::default(),
        now(),
    );
    // Struck, unsigned and the repeated endorsement do not count.
    assert_eq!(tally.totals.support, 2);
    assert_eq!(tally.totals.ignored, 3);
    let row = pattern_row(
        "Learning patterns/Start small",
        &facts,
        Some(("2026-01-14T09:00:00Z", "Someone Else")),
        Some("2026-03-09T10:00:00Z"),
        Some(&tally),
    );
    assert_eq!(row["creator"], "Rui Costa");
    assert_eq!(row["created"], "2026-01-14");
    assert_eq!(row["updated"], "2026-03-09");
    assert_eq!(row["endorsements"], "2");
    let names: Vec<&str> = ListKind::LearningPatterns
        .schema()
        .iter()
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        row.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        names.into_iter().collect()
    );
}

#[test]
fn patterns_without_or_with_a_broken_infobox_still_give_a_row() {
    let rules = LineRules::default();
    let text = format!(
        "Just prose.\n== Endorsements ==\n# Yes. {}\n",
        sig("Ana Lopes", 1)
    );
    let facts = read_pattern(&text, &fields(), &rules, &signatures());
    assert!(!facts.has_infobox);
    assert_eq!(
        (facts.problem.as_str(), facts.creator.as_deref()),
        ("", None)
    );
    assert_eq!(facts.endorsements.len(), 1);
    let row = pattern_row(
        "LP",
        &facts,
        Some(("2026-01-01T00:00:00Z", "First Author")),
        None,
        None,
    );
    assert_eq!(row["creator"], "First Author");
    assert_eq!(row["endorsements"], "0");

    let broken = "{{Probox\n| problem = never closed\n\n== Endorsements ==\n";
    let facts = read_pattern(broken, &fields(), &rules, &signatures());
    assert!(!facts.has_infobox);
    assert!(facts.endorsements.is_empty());
}

#[test]
fn signups_skip_replies_struck_and_unsigned_lines() {
    let text = format!(
        "== Interested communities ==\nSign up below:\n\
         * Wikimedia Portugal – {}\n\
         ** Welcome! {}\n\
         : Indented comment {}\n\
         * <s>Old group {}</s>\n\
         * '''[[Wikimedians of Lisbon]]''' — {}\n\
         * No signature here\n\
         * Algarve group {{{{unsigned|Sofia Martins}}}}\n\
         == Next ==\n* Other list {}\n",
        sig("Rui Costa", 1),
        sig("Ana Lopes", 2),
        sig("Ana Lopes", 2),
        sig("Pedro Almeida", 3),
        sig("Ana Lopes", 4),
        sig("Ellen Harper", 5),
    );
    let found = signups(
        &text,
        "Interested communities",
        &LineRules::default(),
        &signatures(),
    );
    let got: Vec<(&str, &str)> = found
        .iter()
        .map(|s| (s.community.as_str(), s.user.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Wikimedia Portugal", "Rui Costa"),
            ("Wikimedians of Lisbon", "Ana Lopes"),
            ("Algarve group", "Sofia Martins")
        ]
    );
    let row = community_row(&found[0]);
    assert_eq!(row["signed"], "2026-03-01T10:00:00Z");
    assert_eq!(community_row(&found[2])["signed"], "");
    assert!(
        signups(
            "no section",
            "Interested communities",
            &LineRules::default(),
            &signatures()
        )
        .is_empty()
    );
}

fn entry(text: &str) -> ProposalEntry {
    let builtin = crate::analyse::builtin::BuiltinRules::default();
    let stages = &builtin.stages;
    let read = page::read(text, &builtin.proposal_rules(), &builtin.vote_rules());
    let analysis = page::complete(read, stages, &HashMap::new(), None);
    proposal_entry(
        "Partnerships/Proposals/X",
        text,
        "2026-11-20T19:02:00Z",
        &analysis,
        stages,
    )
}

#[test]
fn proposals_give_dashboard_and_case_study_rows() {
    let stages = Stages::builtin();
    let from = stages.index_of("evaluation").unwrap();
    let statuses = ["completed".to_string(), "terminated".to_string()];
    let planning = entry(
        "{{Partnership proposal|partner=Museu ''X''|stage=planning|status=active|start=2026-01-31|duration=1}}\n== Plan ==\nSee [[Learning patterns/A]].\n",
    );
    assert!(!planning.ended(&stages));
    assert!(!planning.is_case_study(from, &statuses));
    let row = planning.dashboard_row();
    assert_eq!(row["partner"], "Museu X");
    assert_eq!(row["stage"], "planning");
    assert_eq!(
        (row["done"].as_str(), row["total"].is_empty()),
        ("2", false)
    );
    assert_eq!(row["support"], "");
    assert_eq!(row["last_change"], "2026-11-20T19:02:00Z");
    assert!(planning.links.contains("Learning patterns/A"));

    let evaluated = entry(
        "{{Partnership proposal|partner=P|stage=evaluation|start=2026-01-31|duration=1}}\n== Results ==\nGood.\n",
    );
    assert!(evaluated.is_case_study(from, &statuses));
    let patterns: BTreeSet<String> = ["Learning patterns/A".to_string()].into();
    let row = evaluated.case_study_row(&patterns);
    assert_eq!(row["end"], "2026-02-28");
    assert_eq!(
        row["evaluation"],
        "[[Partnerships/Proposals/X#Results|results]]"
    );
    assert_eq!(row["learning_patterns"], "[[Learning patterns/A|A]]");

    let completed = entry(
        "{{Partnership proposal|partner=P|stage=planning|status=completed|evaluation=https://example.org/r}}",
    );
    assert!(completed.ended(&stages) && completed.is_case_study(from, &statuses));
    assert_eq!(
        completed.case_study_row(&BTreeSet::new())["evaluation"],
        "[https://example.org/r evaluation]"
    );
}

#[test]
fn case_study_pages_fill_gaps_from_their_proposal() {
    let text = "{{Partnership case study|partner=Porto Garden|proposal=Partnerships/Proposals/X|learning_patterns=Learning patterns/A, Learning patterns/B|evaluation=[[#Report]]}}";
    let page = read_case_study(text, "Partnership case study").unwrap();
    assert_eq!(page.proposal().as_deref(), Some("Partnerships/Proposals/X"));
    assert_eq!(page.named_patterns().len(), 2);
    let proposal =
        entry("{{Partnership proposal|partner=P|community=Wikimedia Portugal|stage=evaluation}}");
    let row = page.row(
        "Case studies/Porto",
        Some(&proposal),
        &page.named_patterns(),
    );
    assert_eq!(row["page"], "Case studies/Porto");
    assert_eq!(row["partner"], "Porto Garden");
    assert_eq!(row["community"], "Wikimedia Portugal");
    assert_eq!(
        row["evaluation"],
        "[[Case studies/Porto#Report|evaluation]]"
    );
    assert_eq!(row.len(), ListKind::CaseStudies.schema().len());
    assert_eq!(read_case_study("{{Other}}", "Partnership case study"), None);
}

#[test]
fn link_titles_are_normalised_and_odd_ones_refused() {
    assert_eq!(
        link_title(" learning_patterns/A  b#x").as_deref(),
        Some("Learning patterns/A b")
    );
    assert_eq!(link_title(":Category:X").as_deref(), Some("Category:X"));
    assert_eq!(link_title("#Section"), None);
    assert_eq!(link_title("/Sub"), None);
    assert_eq!(link_title("a{{b}}"), None);
}
