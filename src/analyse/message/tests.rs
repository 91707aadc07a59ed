//! The message catalogue against the code: every key the bot writes exists in English, every
//! translation covers every English key (and the built-in stages' labels) with the same
//! placeholders, and English rendering matches what the CLI printed before messages existed.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use regex::Regex;

use super::*;
use crate::analyse::proposal::PARAMS;
use crate::analyse::stages::Stages;
use crate::analyse::tally::count::Reason;

const TRANSLATIONS: [&str; 2] = ["fr", "es"];

fn catalogue(lang: &str) -> HashMap<String, String> {
    let path = format!(
        "{}/wikitext-templates/Template:Partnership_messages/{lang}.wikitext",
        env!("CARGO_MANIFEST_DIR")
    );
    parse_cases(&std::fs::read_to_string(&path).expect(&path))
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let re = Regex::new(r"\{\{\{(\d+)\|?\}\}\}").unwrap();
    re.captures_iter(text).map(|c| c[1].to_owned()).collect()
}

/// Keys written as literals in the sources (`Message::new("…")`, `key("…", …)`, ``"tally-…"``
/// keys built with `format!` are listed by their owners below).
fn literal_keys() -> BTreeSet<String> {
    let re = Regex::new(r#"(?:Message::new|\bm|\bkey)\(\s*"([a-z0-9-]+)""#).unwrap();
    let mut keys = BTreeSet::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("message/tests.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                keys.extend(re.captures_iter(&text).map(|c| c[1].to_owned()));
            }
        }
    }
    keys
}

#[test]
fn every_key_the_code_writes_is_in_english() {
    let en = catalogue("en");
    let mut used = literal_keys();
    assert!(used.len() > 40, "the scan finds the code's keys: {used:?}");
    used.extend(PARAMS.iter().map(|p| p.hint().key));
    used.extend(Reason::ALL.iter().map(|r| r.message().key));
    used.extend(["support", "oppose", "neutral"].map(|p| format!("tally-position-{p}")));
    // Keys the test itself names are not code's.
    used.remove("evidence-x");
    let missing: Vec<&String> = used.iter().filter(|k| !en.contains_key(*k)).collect();
    assert!(missing.is_empty(), "keys missing from /en: {missing:?}");
}

#[test]
fn translations_cover_english_with_the_same_placeholders() {
    let en = catalogue("en");
    let stages = Stages::builtin();
    for lang in TRANSLATIONS {
        let tr = catalogue(lang);
        for (key, text) in &en {
            let Some(translated) = tr.get(key) else {
                panic!("/{lang} lacks {key}");
            };
            assert_eq!(
                placeholders(translated),
                placeholders(text),
                "/{lang} {key}: {translated}"
            );
        }
        // Labels whose English comes from the stage configuration.
        for stage in &stages.stages {
            for key in [format!("stage-{}", stage.id), format!("step-{}", stage.id)] {
                assert!(tr.contains_key(&key), "/{lang} lacks {key}");
            }
            for item in &stage.items {
                assert!(
                    tr.contains_key(&format!("item-{}", item.id)),
                    "/{lang} lacks item-{}",
                    item.id
                );
            }
        }
        let source = std::fs::read_to_string(format!(
            "{}/wikitext-templates/Template:Partnership_messages/{lang}.wikitext",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert!(
            source.contains("|#default={{Partnership messages/en|{{{1|}}}|"),
            "/{lang} falls back to English key by key"
        );
    }
}

#[test]
fn the_message_template_lists_every_translation() {
    let source = std::fs::read_to_string(format!(
        "{}/wikitext-templates/Template:Partnership_message.wikitext",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for lang in TRANSLATIONS {
        assert!(
            source.contains(&format!("|{lang}={lang}\n")),
            "{lang} not selectable"
        );
    }
}

#[test]
fn english_is_plain_text_with_arguments_in_place() {
    let m = Message::new("problem-invalid-value")
        .arg("model")
        .arg("medium")
        .with(Message::new("problem-expected-one-of").arg("low-touch, high-touch"));
    assert_eq!(
        m.english(),
        "`model` = \"medium\" is not valid: expected one of low-touch, high-touch"
    );
    assert_eq!(
        Message::new("evidence-page-missing").arg("Nope").english(),
        "[[Nope]] does not exist yet"
    );
    assert_eq!(
        Reason::Unsigned.explain(),
        "no signature (user link and timestamp) and no {{unsigned}}"
    );
    assert_eq!(
        Message::new("tally-ignored").arg("1").english(),
        "1 line was not counted"
    );
    assert_eq!(
        Message::new("tally-ignored").arg("3").english(),
        "3 lines were not counted"
    );
    // Labels only translations define fall back to the configured English.
    assert_eq!(Message::stage("planning", "Planning").english(), "Planning");
    assert_eq!(Message::new("evidence-x").english(), "⧼evidence-x⧽");
    assert_eq!(
        serde_json::to_string(&Message::new("evidence-fill-in").arg("goal")).unwrap(),
        "\"fill in `goal`\""
    );
}
