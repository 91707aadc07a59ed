use super::*;
use crate::analyse::principles::{ExcludeRule, PrinciplesConfig, RequireRule};

struct Fixture {
    stages: Stages,
    principles: Principles,
    aliases: HashMap<String, HashMap<String, String>>,
}

fn fixture() -> Fixture {
    let stages = Stages::builtin();
    let config = PrinciplesConfig {
        require: vec![RequireRule {
            params: vec!["mission".into(), "goal".into(), "outcome_targets".into()],
            from_stage: "agreement".into(),
            reason: "state them before drafting an agreement".into(),
        }],
        exclude: vec![ExcludeRule {
            pattern: "(?i)tobacco".into(),
            reason: "conflicting mission (health)".into(),
        }],
    };
    let principles = Principles::new(&config, &stages, &param_names()).unwrap();
    let aliases = HashMap::from([(
        "stage".to_string(),
        HashMap::from([("plan".to_string(), "planning".to_string())]),
    )]);
    Fixture {
        stages,
        principles,
        aliases,
    }
}

fn read_with(f: &Fixture, text: &str) -> Proposal {
    let rules = ProposalRules {
        template_names: [
            "Partnership proposal".to_string(),
            "Partnership".to_string(),
        ]
        .into(),
        aliases: &f.aliases,
        stages: &f.stages,
        principles: &f.principles,
    };
    let masked = wikitext::mask(text);
    let (calls, unclosed) = wikitext::template_calls(text, &masked);
    read(text, &masked, &calls, &unclosed, &rules)
}

fn messages(p: &Proposal) -> Vec<String> {
    p.problems
        .iter()
        .map(|p| format!("{}: {}", p.param.as_deref().unwrap_or("-"), p.message))
        .collect()
}

const VALID: &str = "{{Partnership proposal|partner=City Museum|partner_type=Organization|contact=[[User:Ana Lopes|Ana]], Rui_Costa|stage=Plan|start=2026-01-31|capacity=20|agreement=[[Agreement/City Museum]]|partner_url=https://museum.example.org/}}";

#[test]
fn valid_proposal_has_no_problems_and_canonical_values() {
    let p = read_with(&fixture(), VALID);
    assert!(p.problems.is_empty(), "{:?}", messages(&p));
    assert_eq!(
        p.stage.as_deref(),
        Some("planning"),
        "alias and case folded"
    );
    assert_eq!(p.value("partner_type"), Some("organization"));
    assert_eq!(
        p.params["partner_type"], "Organization",
        "params keep what was written"
    );
    assert_eq!(p.contacts(), ["Ana Lopes", "Rui Costa"]);
}

#[test]
fn the_sample_with_deliberate_errors_reports_each() {
    let text =
        include_str!("../../../examples/pages/Partnerships/Proposals/Faro_Science_Centre.wikitext");
    let p = read_with(&fixture(), text);
    let m = messages(&p);
    let has = |needle: &str| m.iter().any(|x| x.contains(needle));
    assert!(
        has("parnter: unknown parameter `parnter` (did you mean `partner`?)"),
        "{m:#?}"
    );
    assert!(has("goal: `goal` is given 2 times"), "{m:#?}");
    assert!(
        has("stage: `stage` = \"halfway\" is not valid: expected one of selection, involvement"),
        "{m:#?}"
    );
    assert!(
        has("start: `start` = \"2026-13-40\" is not valid: expected a date written YYYY-MM-DD"),
        "{m:#?}"
    );
    assert!(has("duration: `duration` = \"six\" is not valid"), "{m:#?}");
    assert!(
        has("partner: required parameter `partner` is missing"),
        "{m:#?}"
    );
    assert!(
        has("contact: required parameter `contact` is missing"),
        "{m:#?}"
    );
    assert_eq!(
        p.params["goal"], "Improve 30 articles on marine biology",
        "last one wins"
    );
    assert_eq!(p.stage, None);
}

#[test]
fn every_sample_proposal_parses() {
    let f = fixture();
    for (name, text) in [
        (
            "City Museum",
            include_str!(
                "../../../examples/pages/Partnerships/Proposals/City_Museum_of_Lisbon.wikitext"
            ),
        ),
        (
            "Porto",
            include_str!(
                "../../../examples/pages/Partnerships/Proposals/Porto_Botanical_Garden.wikitext"
            ),
        ),
        (
            "Coimbra",
            include_str!(
                "../../../examples/pages/Partnerships/Proposals/Coimbra_University_Library.wikitext"
            ),
        ),
        (
            "Maria",
            include_str!("../../../examples/pages/Partnerships/Proposals/Maria_Santos.wikitext"),
        ),
        (
            "Braga",
            include_str!(
                "../../../examples/pages/Partnerships/Proposals/Braga_Municipal_Archive.wikitext"
            ),
        ),
    ] {
        let p = read_with(&f, text);
        assert!(p.stage.is_some(), "{name}: {:?}", messages(&p));
        assert!(p.value("partner").is_some(), "{name}");
    }
}

#[test]
fn template_name_matching_follows_mediawiki() {
    for name in [
        "Partnership proposal",
        "partnership_proposal",
        "Template:Partnership  proposal",
        "template: partnership proposal",
        "Partnership",
    ] {
        let p = read_with(&fixture(), &format!("{{{{{name}|partner=X}}}}"));
        assert!(p.template_range.is_some(), "{name} not recognised");
    }
    for name in [
        "subst:Partnership proposal",
        ":Partnership proposal",
        "Partnership proposals",
    ] {
        let p = read_with(&fixture(), &format!("{{{{{name}|partner=X}}}}"));
        assert!(p.template_range.is_none(), "{name} wrongly recognised");
    }
}

#[test]
fn second_template_unclosed_template_and_empty_page() {
    let f = fixture();
    let two = format!("{VALID}\ntext\n{{{{Partnership proposal|partner=Other}}}}");
    let p = read_with(&f, &two);
    assert_eq!(
        p.params["partner"], "City Museum",
        "the first call is the proposal"
    );
    assert!(messages(&p).iter().any(|m| {
        m.contains("second proposal template (\"{{Partnership proposal|partner=Other}}\")")
    }));

    let open = "intro\n{{Partnership proposal|partner=X\n== Plan ==\n";
    let p = read_with(&f, open);
    assert!(
        messages(&p)[0].contains("starting \"{{Partnership proposal|partner=X\" is never closed"),
        "{:?}",
        messages(&p)
    );

    let p = read_with(&f, "");
    assert!(messages(&p)[0].contains("does not call the proposal template"));
}

#[test]
fn principles_require_statements_and_exclude_partners() {
    let f = fixture();
    let text = "{{Partnership proposal|partner=Big Tobacco Ltd|partner_type=organization|contact=A|stage=agreement|goal=x}}";
    let m = messages(&read_with(&f, text));
    assert!(
        m.iter().any(|x| x.contains(
            "partner: the partner matches the exclusion list: conflicting mission (health)"
        )),
        "{m:#?}"
    );
    assert!(
        m.iter().any(|x| x
            .starts_with("mission: `mission` must be filled from stage agreement on: state them")),
        "{m:#?}"
    );
    assert!(
        m.iter().any(|x| x.starts_with("outcome_targets:")),
        "{m:#?}"
    );
    assert!(
        !m.iter().any(|x| x.starts_with("goal:")),
        "goal is filled: {m:#?}"
    );

    let early = text
        .replace("stage=agreement", "stage=planning")
        .replace("Big Tobacco Ltd", "Museum");
    assert!(
        read_with(&f, &early).problems.is_empty(),
        "{:?}",
        messages(&read_with(&f, &early))
    );
}

#[test]
fn unnamed_values_and_unknown_done_ids_are_reported() {
    let text = "{{Partnership proposal|partner=X|partner_type=individual|contact=A|stage=planning|stray|done=stakeholders, teleport}}";
    let m = messages(&read_with(&fixture(), text));
    assert!(
        m.iter().any(|x| x.contains("unnamed parameter \"stray\"")),
        "{m:#?}"
    );
    assert!(
        m.iter().any(|x| x.contains("`done` lists \"teleport\"")),
        "{m:#?}"
    );
    assert!(!m.iter().any(|x| x.contains("stakeholders")), "{m:#?}");
}

#[test]
fn links_and_users() {
    assert_eq!(
        link_target("[[Agreement/X|the agreement]]"),
        Some(LinkTarget::Page("Agreement/X".into()))
    );
    assert_eq!(
        link_target("[https://x.org/a.pdf signed]"),
        Some(LinkTarget::External("https://x.org/a.pdf".into()))
    );
    assert_eq!(
        link_target("https://x.org"),
        Some(LinkTarget::External("https://x.org".into()))
    );
    assert_eq!(link_target("see the talk page"), None);
    assert_eq!(
        link_target("[[#Agreement|below]]"),
        Some(LinkTarget::Section("Agreement".into()))
    );
    assert_eq!(
        link_target("[[Page#Part]]"),
        Some(LinkTarget::Page("Page".into()))
    );
    assert_eq!(link_target("[[|x]]"), None);
    assert_eq!(
        users("[[User:A B|x]], C , [[Project:Z]], {{ping|D}}"),
        ["A B", "C"]
    );
}

proptest::proptest! {
    #[test]
    fn reading_never_panics(body in "[{}|=\\[\\]a-z \n<>!-]{0,300}") {
        let f = fixture();
        let _ = read_with(&f, &format!("{{{{Partnership proposal|{body}"));
        let _ = read_with(&f, &body);
    }
}
