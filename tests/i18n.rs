//! Languages on a real MediaWiki: the bot's regions shown in each reader's interface language
//! (`uselang`), English where a language has no translation, a page whose language is set
//! (Special:PageLanguage) pinned to it for every reader, and a stage notice on such a page in
//! its language.

mod common;

use common::{DevWiki, WikiTest, ok, repo_root, run_wiki_tests};
use libtest_mimic::Failed;

const PAGE: &str = "Partnerships/Proposals/Musée des Confluences";
const TALK: &str = "Talk:Partnerships/Proposals/Musée des Confluences";
const INDEX: &str = "Community Capacity Development/Partnerships/Index";

const TESTS: &[(&str, WikiTest)] = &[
    (
        "regions_and_index_follow_the_readers_language",
        readers_language,
    ),
    (
        "a_language_without_translation_shows_english_without_errors",
        untranslated_language,
    ),
    (
        "the_survey_and_resources_boxes_follow_the_readers_language",
        survey_and_resources,
    ),
    ("a_page_language_pins_its_regions", page_language),
    ("a_stage_notice_on_a_french_page_is_french", french_notice),
];

fn main() {
    run_wiki_tests(TESTS, setup);
}

fn sig(user: &str, day: u32) -> String {
    format!("[[User:{user}|{user}]] ([[User talk:{user}|talk]]) 10:00, {day} November 2026 (UTC)")
}

fn proposal(stage: &str, votes: &[String]) -> String {
    format!(
        "{{{{Partnership proposal|partner=Musée des Confluences|partner_type=organization\
         |contact=Alice|goal=Photos of the collection|stage={stage}|support_closes=2099-01-01}}}}\n\
         A proposal.\n\n== Plan ==\nPhotograph 300 objects.\n\n\
         == Community support ==\n=== Support ===\n{}\n=== Oppose ===\n=== Neutral ===\n",
        votes.join("\n")
    )
}

fn setup(wiki: &DevWiki) {
    ok(&wiki.partnerbot(&["templates", "install"]));
    wiki.import_pages(&repo_root().join("examples/pages"));
    for u in ["Alice", "Bob"] {
        wiki.create_user(u);
    }
    // Each vote saved by its voter, so the tally counts both.
    let mut votes = Vec::new();
    wiki.edit_as("Alice", PAGE, &proposal("planning", &votes));
    for (n, user) in ["Alice", "Bob"].iter().enumerate() {
        votes.push(format!("# '''Support''' {}", sig(user, n as u32 + 1)));
        wiki.edit_as(user, PAGE, &proposal("planning", &votes));
    }
    wiki.run_jobs();
    ok(&wiki.partnerbot(&["run", "--once"]));
}

/// The page as `lang`'s reader sees it, tags removed; fails on error markers.
fn rendered(wiki: &DevWiki, page: &str, lang: &str) -> String {
    let r = wiki.api(&[
        ("action", "parse"),
        ("page", page),
        ("prop", "text"),
        ("uselang", lang),
        ("disablelimitreport", "1"),
    ]);
    let html = r["parse"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no HTML for {page}: {r}"))
        .to_owned();
    assert!(!html.contains("class=\"error"), "{page} ({lang}):\n{html}");
    assert!(
        !html.contains('⧼'),
        "an undefined message on {page} ({lang}):\n{html}"
    );
    let tags = regex::Regex::new(r"<[^>]*>").unwrap();
    tags.replace_all(&html, "")
        .replace("&#160;", " ")
        .replace("&nbsp;", " ")
}

fn expect(text: &str, what: &str, wanted: &[&str]) -> Result<(), Failed> {
    for w in wanted {
        if !text.contains(w) {
            return Err(format!("{what}: {w:?} not found in:\n{text}").into());
        }
    }
    Ok(())
}

fn readers_language(wiki: &DevWiki) -> Result<(), Failed> {
    let text = wiki.text(PAGE);
    assert!(
        !text.contains("lang"),
        "an English page leaves the language to the reader:\n{text}"
    );
    let cases: [(&str, &[&str]); 3] = [
        (
            "en",
            &[
                "Partnership checklist – stage: Planning",
                "Project plan drafted — section \"Plan\" has content",
                "Support tally",
                "Support 2",
                "discussion open",
            ],
        ),
        (
            "fr",
            &[
                "Liste de contrôle du partenariat – étape : Planification",
                "Plan de projet rédigé — la section « Plan » a du contenu",
                "Décompte du soutien",
                "Pour 2",
                "discussion ouverte",
            ],
        ),
        (
            "es",
            &[
                "Lista de control de la alianza – etapa: Planificación",
                "Plan de proyecto redactado — la sección «Plan» tiene contenido",
                "Recuento de apoyos",
                "A favor 2",
                "debate abierto",
            ],
        ),
    ];
    for (lang, wanted) in cases {
        expect(
            &rendered(wiki, PAGE, lang),
            &format!("{PAGE} in {lang}"),
            wanted,
        )?;
    }
    let index: [(&str, &[&str]); 3] = [
        (
            "en",
            &["Proposal", "Partner", "Stage", "Last change", "Planning"],
        ),
        (
            "fr",
            &[
                "Proposition",
                "Partenaire",
                "Étape",
                "Dernière modification",
                "Planification",
            ],
        ),
        (
            "es",
            &[
                "Propuesta",
                "Socio",
                "Etapa",
                "Último cambio",
                "Planificación",
            ],
        ),
    ];
    for (lang, wanted) in index {
        expect(
            &rendered(wiki, INDEX, lang),
            &format!("index in {lang}"),
            wanted,
        )?;
    }
    // An idle pass after all this edits nothing: the language adds no edit and no request.
    let out = ok(&wiki.partnerbot(&["run", "--once"]));
    let edited = out
        .lines()
        .find_map(|l| l.strip_prefix("edited:"))
        .map(str::trim);
    assert_eq!(edited, Some("0"), "{out}");
    assert!(
        out.contains("API requests:   5 (plus 3 for login and site info)"),
        "the idle pass makes the README's 5 requests: {out}"
    );
    Ok(())
}

/// The sample proposal at the evaluation stage has a survey (its responders do not exist here,
/// so its lines are listed as not counted); the Partnerships page has the resources report.
fn survey_and_resources(wiki: &DevWiki) -> Result<(), Failed> {
    const PORTO: &str = "Partnerships/Proposals/Porto Botanical Garden";
    const RESOURCES: &str = "Partnerships";
    ok(&wiki.partnerbot(&["resources"]));
    let cases: [(&str, &[&str], &[&str]); 3] = [
        (
            "en",
            &[
                "Evaluation survey: 0 responses counted, 4 not counted",
                "Approving (4-5)",
                "Outcome targets: not met yet",
                "Project leader confidence 2 → 4",
                "not counted – the signing account does not exist",
                "Outcome targets met: community approval",
            ],
            &["Link check:", "links of this list need attention", "broken"],
        ),
        (
            "fr",
            &[
                "Enquête d'évaluation: 0 réponses comptées, 4 non comptées",
                "Approbation (4-5)",
                "Objectifs de résultats: pas encore atteints",
                "Confiance du responsable du projet 2 → 4",
                "non comptée",
                "Objectifs atteints : approbation du processus",
            ],
            &[
                "Vérification des liens",
                "demandent une correction",
                "cassé",
            ],
        ),
        (
            "es",
            &[
                "Encuesta de evaluación: 0 respuestas contadas, 4 no contadas",
                "Aprobación (4-5)",
                "Objetivos de resultados: aún no cumplidos",
                "Confianza del responsable del proyecto 2 → 4",
                "no contada",
                "Objetivos cumplidos: aprobación del proceso",
            ],
            &["Comprobación de enlaces", "necesitan atención", "roto"],
        ),
    ];
    for (lang, survey, resources) in cases {
        expect(
            &rendered(wiki, PORTO, lang),
            &format!("survey in {lang}"),
            survey,
        )?;
        expect(
            &rendered(wiki, RESOURCES, lang),
            &format!("resources report in {lang}"),
            resources,
        )?;
    }
    Ok(())
}

fn untranslated_language(wiki: &DevWiki) -> Result<(), Failed> {
    let de = rendered(wiki, PAGE, "de");
    expect(
        &de,
        "German falls back to English",
        &["Partnership checklist – stage: Planning", "Support tally"],
    )?;
    Ok(())
}

/// A client logged in with the bot password (its group may set page languages on the dev wiki).
fn bot_client(wiki: &DevWiki) -> (tokio::runtime::Runtime, mwapi::Client) {
    let password = std::fs::read_to_string(wiki.dir().join("bot-password")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = runtime
        .block_on(
            mwapi::Client::builder(&format!("{}api.php", wiki.url))
                .set_botpassword("Partnerbot@partnerbot", password.trim())
                .build(),
        )
        .expect("bot login");
    (runtime, client)
}

fn set_page_language(wiki: &DevWiki, title: &str, lang: &str) {
    let (runtime, client) = bot_client(wiki);
    let r: serde_json::Value = runtime
        .block_on(client.post_with_token(
            "csrf",
            [
                ("action", "setpagelanguage"),
                ("title", title),
                ("lang", lang),
                ("reason", "i18n test"),
            ],
        ))
        .unwrap_or_else(|e| panic!("setpagelanguage {title} {lang}: {e}"));
    assert_eq!(r["setpagelanguage"]["newlanguage"], lang, "{r}");
}

fn page_language(wiki: &DevWiki) -> Result<(), Failed> {
    set_page_language(wiki, PAGE, "fr");
    let info = wiki.api(&[("action", "query"), ("prop", "info"), ("titles", PAGE)]);
    assert_eq!(info["query"]["pages"][0]["pagelanguage"], "fr", "{info}");
    ok(&wiki.partnerbot(&["run", "--once"]));
    let text = wiki.text(PAGE);
    assert!(
        text.contains("| lang = fr\n"),
        "the regions carry the page's language:\n{text}"
    );
    assert!(text.contains("|lang=fr}}"), "{text}");
    // An English reader sees the page's language.
    expect(
        &rendered(wiki, PAGE, "en"),
        "a French page for an English reader",
        &[
            "Liste de contrôle du partenariat – étape : Planification",
            "Décompte du soutien",
        ],
    )?;
    // Nothing changes on the next pass.
    let before = wiki.text(PAGE);
    ok(&wiki.partnerbot(&["run", "--once"]));
    assert_eq!(wiki.text(PAGE), before, "an idle pass rewrote the page");
    Ok(())
}

fn french_notice(wiki: &DevWiki) -> Result<(), Failed> {
    let text = wiki.text(PAGE).replace(
        "|stage=planning|support_closes",
        "|stage=agreement|support_closes",
    );
    wiki.human_edit(PAGE, &text);
    let run = wiki.partnerbot(&["run", "--once"]);
    let out = ok(&run);
    let talk = wiki.text(TALK);
    assert!(
        talk.contains("== Étape du partenariat : Accord =="),
        "the section title is French:\n{talk}\n{out}\n{}",
        common::stderr(&run)
    );
    assert!(talk.contains("from=planning to=agreement"), "{talk}");
    expect(
        &rendered(wiki, TALK, "en"),
        "the notice for an English reader",
        &[
            "est passée de l’étape Planification à l’étape Accord",
            "Liste de contrôle du partenariat – étape : Accord",
        ],
    )?;
    Ok(())
}
