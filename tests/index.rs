//! The index on a real MediaWiki: learning patterns found through a category tree (with and
//! without an infobox, a broken one, a redirect, a redirect to a deleted page), proposals that
//! reach evaluation becoming case studies, sign-ups with replies and struck lines, hostile
//! values, idle passes, and one page's row updated without reading the rest.

mod common;

use common::{DevWiki, WikiTest, ok, repo_root, run_wiki_tests, stdout};
use libtest_mimic::Failed;
use serde_json::Value;

const INDEX: &str = "Community Capacity Development/Partnerships/Index";
const SEED: &str = "Partnerships";
const CATEGORY: &str = "[[Category:Partnership learning patterns]]";
const LISBON: &str = "Partnerships/Proposals/City Museum of Lisbon";

const TESTS: &[(&str, WikiTest)] = &[
    (
        "lists_are_built_and_an_idle_pass_edits_nothing",
        lists_are_built,
    ),
    (
        "hostile_values_change_nothing_but_their_cell",
        hostile_values,
    ),
    (
        "a_proposal_reaching_evaluation_becomes_a_case_study",
        evaluation_makes_a_case_study,
    ),
    (
        "one_page_updates_its_row_without_reading_the_rest",
        one_page_update,
    ),
];

fn main() {
    run_wiki_tests(TESTS, setup);
}

fn sig(user: &str, day: u32) -> String {
    format!("[[User:{user}|{user}]] ([[User talk:{user}|talk]]) 10:00, {day} March 2026 (UTC)")
}

fn setup(wiki: &DevWiki) {
    ok(&wiki.partnerbot(&["templates", "install"]));
    wiki.import_pages(&repo_root().join("examples/pages"));
    for u in ["Marta Silva", "Sofia Martins", "Rui Costa", "Ana Lopes"] {
        wiki.create_user(u);
    }
    let endorsements = format!(
        "== Endorsements ==\n# Yes. {}\n#: A reply. {}\n# <s>Struck. {}</s>\n# Good. {}\n",
        sig("Marta Silva", 1),
        sig("Ana Lopes", 2),
        sig("Rui Costa", 3),
        sig("Sofia Martins", 4)
    );
    let pages = [
        (
            "Learning patterns/Endorsed pattern",
            format!(
                "{{{{Probox\n| problem = ''Partners'' do not [[know]] us.\n| solution = Meet them.\n\
                 | creator = Rui Costa\n}}}}\nSee [[{LISBON}]].\n{endorsements}{CATEGORY}\n"
            ),
        ),
        (
            "Learning patterns/No infobox",
            "Only prose.\n[[Category:Partnership learning patterns/Events]]\n".to_owned(),
        ),
        (
            "Category:Partnership learning patterns/Events",
            format!("Event patterns.\n{CATEGORY}\n"),
        ),
        (
            "Learning patterns/Broken infobox",
            format!("{{{{Probox\n| problem = never closed\n\n== Endorsements ==\n{CATEGORY}\n"),
        ),
        (
            "Learning patterns/Moved pattern",
            format!("#REDIRECT [[Learning patterns/Endorsed pattern]]\n{CATEGORY}\n"),
        ),
        (
            "Learning patterns/Soon deleted",
            format!("{{{{Probox|problem=gone soon}}}}\n{CATEGORY}\n"),
        ),
        (
            "Learning patterns/Redirect to a deleted page",
            format!("#REDIRECT [[Learning patterns/Soon deleted]]\n{CATEGORY}\n"),
        ),
    ];
    for (title, text) in &pages {
        wiki.human_edit(title, text);
    }
    wiki.maint(
        &["deleteBatch.php", "-u", "Admin"],
        "Learning patterns/Soon deleted\n",
    );
    // Sign-ups: a reply and a struck line besides the three signed lines of the sample.
    let seed = wiki.text(SEED).replace(
        "Sign up below if you would like to do this in your community:\n",
        &format!(
            "Sign up below if you would like to do this in your community:\n\
             * <s>Old chapter – {}</s>\n** Welcome! {}\n",
            sig("Rui Costa", 5),
            sig("Ana Lopes", 6)
        ),
    );
    wiki.human_edit(SEED, &seed);
    wiki.run_jobs();
}

/// Row calls of one list in a page's text, as (key, line).
fn rows(text: &str, kind: &str) -> Vec<String> {
    let prefix = format!("{{{{Partnership index/{kind} row|");
    text.lines()
        .filter(|l| l.starts_with(&prefix))
        .map(str::to_owned)
        .collect()
}

fn row_with<'a>(rows: &'a [String], needle: &str) -> Option<&'a String> {
    rows.iter().find(|r| r.contains(needle))
}

fn requests(out: &str) -> u64 {
    out.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("API requests:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(u64::MAX)
}

fn lists_are_built(wiki: &DevWiki) -> Result<(), Failed> {
    let out = ok(&wiki.partnerbot(&["run", "--once"]));
    let index = wiki.text(INDEX);
    let patterns = rows(&index, "learning pattern");
    let titles: Vec<&str> = patterns
        .iter()
        .filter_map(|r| r.split("|title=").nth(1)?.split('|').next())
        .collect();
    // Sorted; the redirect listed once as its target; the deleted page left out; a pattern
    // in a subcategory, without an infobox or with a broken one still listed.
    assert_eq!(
        titles,
        [
            "Learning patterns/Broken infobox",
            "Learning patterns/Endorsed pattern",
            "Learning patterns/No infobox",
            "Learning patterns/Set expectations early with partners",
            "Learning patterns/Start with a low-touch pilot",
        ],
        "{index}"
    );
    assert!(out.contains("listed but gone when read: 1"), "{out}");
    let endorsed = row_with(&patterns, "Endorsed pattern").unwrap();
    assert!(
        endorsed.contains("|problem=Partners do not know us.|"),
        "{endorsed}"
    );
    assert!(endorsed.contains("|creator=Rui Costa|"), "{endorsed}");
    // Marta and Sofia count; the reply and the struck line do not.
    assert!(endorsed.contains("|endorsements=2}}"), "{endorsed}");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        endorsed.contains(&format!("|created={today}|")),
        "{endorsed}"
    );
    let no_box = row_with(&patterns, "No infobox").unwrap();
    assert!(
        no_box.contains("|problem=|solution=|creator=Admin|"),
        "{no_box}"
    );

    let dashboard = rows(&index, "proposal");
    assert_eq!(
        dashboard.len(),
        5,
        "Porto is completed: not on the dashboard\n{index}"
    );
    // Faro's problems, as a count: the row template words it in the reader's language.
    let faro = row_with(&dashboard, "Faro Science Centre").unwrap();
    let problems = faro
        .split("|problems=")
        .nth(1)
        .and_then(|v| v.split('|').next());
    assert!(
        problems
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n > 0),
        "{faro}"
    );

    let communities = rows(&index, "community");
    let names: Vec<&str> = communities
        .iter()
        .filter_map(|r| r.split("|community=").nth(1)?.split('|').next())
        .collect();
    assert_eq!(
        names,
        [
            "Wikimedia Portugal",
            "Wikimedians of Lisbon",
            "Wikimedians of the Algarve"
        ],
        "no struck line, no reply\n{index}"
    );

    let seed = wiki.text(SEED);
    let studies = rows(&seed, "case study");
    assert_eq!(studies.len(), 1, "{seed}");
    assert!(studies[0].contains("|page=Partnerships/Proposals/Porto Botanical Garden|"));
    assert!(studies[0].contains("[[Learning patterns/Start with a low-touch pilot|"));
    // The region went to the top of "Case studies"; the human line stays below it.
    let section = seed.split("== Case studies ==\n").nth(1).unwrap();
    assert!(
        section.starts_with("<!-- partnerbot:index-case-studies"),
        "{seed}"
    );
    assert!(section.contains("<!-- /partnerbot:index-case-studies -->\n* (none yet)"));

    // The index renders as sortable tables with one row per entry.
    let html = wiki.api(&[("action", "parse"), ("page", INDEX), ("prop", "text")]);
    let html = html["parse"]["text"].as_str().unwrap_or_default();
    assert_eq!(
        html.matches("partnership-index-learning-patterns").count(),
        1
    );
    assert!(
        !html.contains("Template:Partnership index"),
        "no red template links"
    );

    let before = wiki.edit_count();
    let again = ok(&wiki.partnerbot(&["index"]));
    assert_eq!(
        wiki.edit_count(),
        before,
        "an idle pass edits nothing:\n{again}"
    );
    assert!(again.contains("edited:       none"), "{again}");
    Ok(())
}

/// The templates a page transcludes and the categories it is in, from the wiki's link tables.
fn links(wiki: &DevWiki, title: &str) -> (Vec<String>, Vec<String>) {
    let r: Value = wiki.api(&[
        ("action", "query"),
        ("titles", title),
        ("prop", "templates|categories"),
        ("tllimit", "max"),
        ("cllimit", "max"),
    ]);
    let names = |list: &str| -> Vec<String> {
        r["query"]["pages"][0][list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["title"].as_str().map(str::to_owned))
            .collect()
    };
    (names("templates"), names("categories"))
}

fn hostile_values(wiki: &DevWiki) -> Result<(), Failed> {
    let payloads = "}}{{Delete}} [[Category:Spam]] |} <div> ~~~~";
    let hostile = format!(
        "{{{{Partnership proposal|partner=<nowiki>{payloads}</nowiki>|partner_type=organization\
         |contact=Ana Lopes|stage=evaluation|community=<nowiki>|}}</nowiki>\
         |outcome_targets=<nowiki>{{{{Delete}}}}</nowiki>}}}}\nHostile.\n"
    );
    wiki.human_edit("Partnerships/Proposals/Hostile", &hostile);
    wiki.human_edit(
        "Learning patterns/Hostile",
        &format!("{{{{Probox|problem=<nowiki>{payloads}</nowiki>}}}}\n{CATEGORY}\n"),
    );
    let seed = wiki.text(SEED).replace(
        "* Wikimedia Portugal",
        &format!(
            "* <nowiki>{payloads}</nowiki> – {}\n* Wikimedia Portugal",
            sig("Ana Lopes", 7)
        ),
    );
    wiki.human_edit(SEED, &seed);
    wiki.run_jobs();
    ok(&wiki.partnerbot(&["run", "--once"]));
    wiki.run_jobs();
    for page in [INDEX, SEED] {
        let (templates, categories) = links(wiki, page);
        assert!(
            !templates.iter().any(|t| t.contains("Delete")),
            "{page}: {templates:?}"
        );
        assert!(
            !categories.iter().any(|c| c.contains("Spam")),
            "{page}: {categories:?}"
        );
        // The bot's regions: nothing in them signed (humans' own text may hold `~~~~`).
        let text = wiki.text(page);
        for region in text.split("<!-- partnerbot:index-").skip(1) {
            let region = region
                .split("<!-- /partnerbot:index-")
                .next()
                .unwrap_or_default();
            assert!(
                !region.contains("~~~") && !region.contains("User talk:"),
                "{page} signed"
            );
        }
    }
    let index = wiki.text(INDEX);
    let dashboard = rows(&index, "proposal");
    assert!(dashboard.iter().all(|r| r.ends_with("}}")));
    assert_eq!(
        dashboard.len(),
        6,
        "the hostile proposal is one row\n{index}"
    );
    assert_eq!(rows(&index, "community").len(), 4);
    // The rendered tables still have exactly one row per entry.
    let html = wiki.api(&[("action", "parse"), ("page", INDEX), ("prop", "text")]);
    let html = html["parse"]["text"].as_str().unwrap_or_default();
    let table = html
        .split("partnership-index-proposals")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_default();
    assert_eq!(
        table.matches("<tr").count(),
        1 + 6,
        "header + 6 rows:\n{table}"
    );
    // Shown as text (MediaWiki keeps the entities the bot wrote as entities in its HTML).
    for shown in [
        "&#123;&#123;Delete&#125;&#125;",
        "Category:Spam&#93;&#93;",
        "&lt;div&gt;",
    ] {
        assert!(table.contains(shown), "{shown} not in {table}");
    }
    Ok(())
}

fn evaluation_makes_a_case_study(wiki: &DevWiki) -> Result<(), Failed> {
    let text = wiki.text(LISBON);
    let moved = text.replacen(
        "stage           = planning",
        "stage           = evaluation",
        1,
    );
    let moved = if moved == text {
        text.replacen("stage = planning", "stage = evaluation", 1)
    } else {
        moved
    };
    assert_ne!(
        moved, text,
        "the sample's stage line changed shape:\n{text}"
    );
    wiki.human_edit(LISBON, &moved);
    ok(&wiki.partnerbot(&["run", "--once"]));
    let studies = rows(&wiki.text(SEED), "case study");
    let lisbon = row_with(&studies, "City Museum of Lisbon").ok_or("Lisbon is no case study")?;
    // The learning pattern that links to the proposal is related to it.
    assert!(
        lisbon.contains("[[Learning patterns/Endorsed pattern|Endorsed pattern]]"),
        "{lisbon}"
    );
    let dashboard = rows(&wiki.text(INDEX), "proposal");
    assert!(
        row_with(&dashboard, "City Museum of Lisbon")
            .unwrap()
            .contains("|stage=evaluation|")
    );
    Ok(())
}

fn one_page_update(wiki: &DevWiki) -> Result<(), Failed> {
    let title = "Learning patterns/Endorsed pattern";
    let text = wiki.text(title).replace("Meet them.", "Meet them early.");
    wiki.human_edit(title, &text);
    let before = wiki.edit_count();
    let out = ok(&wiki.partnerbot(&["index", "--page", title]));
    assert_eq!(wiki.edit_count(), before + 1, "{out}");
    let patterns = rows(&wiki.text(INDEX), "learning pattern");
    assert!(
        row_with(&patterns, "|solution=Meet them early.|").is_some(),
        "{patterns:?}"
    );
    assert_eq!(patterns.len(), 6);
    // Index pages, the page itself, its endorsers, the case-study check: no listing, no other
    // pattern read.
    assert!(requests(&out) <= 8, "{out}");

    // A listed pattern deleted since: its row goes, the rest stay.
    wiki.maint(
        &["deleteBatch.php", "-u", "Admin"],
        "Learning patterns/No infobox\n",
    );
    let out = ok(&wiki.partnerbot(&["index", "--page", "Learning patterns/No infobox"]));
    let patterns = rows(&wiki.text(INDEX), "learning pattern");
    assert_eq!(
        patterns.len(),
        5,
        "{}",
        stdout(&wiki.partnerbot(&["index", "--dry-run"]))
    );
    assert!(row_with(&patterns, "No infobox").is_none(), "{out}");
    Ok(())
}
