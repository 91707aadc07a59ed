use super::*;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;

const CONTACT: (&str, &str) = ("PARTNERBOT_BOT__USER_AGENT_CONTACT", "ops@example.org");
const BOT_PASSWORD: &str = "0123456789abcdefghijklmnopqrstuvw";

fn file(text: &str, mode: u32) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(mode)).unwrap();
    f
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn defaults_alone_fail_only_for_the_missing_contact() {
    let err = load(None, env(&[])).unwrap_err().to_string();
    assert!(err.contains("bot.user_agent_contact"), "{err}");
    assert!(err.contains("default.toml"), "{err}");
    let ok = load(None, env(&[CONTACT])).unwrap();
    assert_eq!(ok.wiki.url, "https://meta.wikimedia.org/w/");
    assert_eq!(ok.wiki.api_url(), "https://meta.wikimedia.org/w/api.php");
    assert_eq!(ok.wiki.rest_url(), "https://meta.wikimedia.org/w/rest.php");
    assert_eq!(ok.bot.save_delay, Duration::from_secs(10));
    assert!(ok.auth.is_none());
}

#[test]
fn layers_later_wins() {
    let f = file(
        "[wiki]\nurl = \"http://127.0.0.1:8080\"\n[bot]\nsave_delay_s = 3\ndry_run = true\n",
        0o644,
    );
    let s = load(
        Some(f.path()),
        env(&[
            CONTACT,
            ("PARTNERBOT_BOT__SAVE_DELAY_S", "7"),
            ("PARTNERBOT_UNRELATED", "x"),
        ]),
    )
    .unwrap();
    assert_eq!(
        s.wiki.url, "http://127.0.0.1:8080/",
        "a trailing slash is added"
    );
    assert_eq!(
        s.bot.save_delay,
        Duration::from_secs(7),
        "env beats the file"
    );
    assert!(s.bot.dry_run, "the file beats the default");
    assert_eq!(
        s.bot.shutoff_page, "User:Partnerbot/Shutoff",
        "the default stays"
    );
}

#[test]
fn unknown_key_in_file_is_named_with_the_file() {
    let f = file("[bot]\ndryrun = true\n", 0o600);
    let err = load(Some(f.path()), env(&[CONTACT]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`bot.dryrun`"), "{err}");
    assert!(err.contains(&f.path().display().to_string()), "{err}");
    assert!(
        err.contains("bot.dry_run"),
        "suggests the section's keys: {err}"
    );
}

#[test]
fn unknown_env_key_is_named_with_the_variable() {
    let err = load(None, env(&[CONTACT, ("PARTNERBOT_WIKI__URLL", "x")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("PARTNERBOT_WIKI__URLL"), "{err}");
}

#[test]
fn wrong_type_names_key_origin_and_expectation() {
    let f = file("[bot]\nsave_delay_s = \"soon\"\n", 0o600);
    let err = load(Some(f.path()), env(&[CONTACT]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("bot.save_delay_s"), "{err}");
    assert!(err.contains(&f.path().display().to_string()), "{err}");
    assert!(err.contains("expected"), "{err}");

    let err = load(
        None,
        env(&[CONTACT, ("PARTNERBOT_BOT__DRY_RUN", "perhaps")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("PARTNERBOT_BOT__DRY_RUN"), "{err}");
}

#[test]
fn syntax_error_names_the_file_and_line() {
    let f = file("[wiki\nurl = 1\n", 0o600);
    let err = load(Some(f.path()), env(&[CONTACT]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not valid TOML"), "{err}");
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let err = load(
        Some(Path::new("/nonexistent/partnerbot.toml")),
        env(&[CONTACT]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("cannot read config file /nonexistent/partnerbot.toml"),
        "{err}"
    );
}

#[test]
fn bad_url_is_rejected() {
    for url in [
        "meta.wikimedia.org",
        "ftp://x/",
        "https://meta.wikimedia.org/w/api.php",
    ] {
        let err = load(None, env(&[CONTACT, ("PARTNERBOT_WIKI__URL", url)]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("wiki.url"), "{url}: {err}");
    }
}

#[test]
fn secret_in_world_readable_file_is_refused() {
    let text = format!("[auth]\nusername = \"Bot@app\"\npassword = \"{BOT_PASSWORD}\"\n");
    let open = file(&text, 0o644);
    let err = load(Some(open.path()), env(&[CONTACT]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("chmod 600"), "{err}");
    assert!(!err.contains(BOT_PASSWORD), "secret leaked: {err}");

    let closed = file(&text, 0o600);
    let s = load(Some(closed.path()), env(&[CONTACT])).unwrap();
    assert!(matches!(s.auth, Some(Auth::BotPassword { .. })));
    assert!(
        !format!("{s:?}").contains(BOT_PASSWORD),
        "Debug leaks the secret"
    );
}

#[test]
fn secret_may_come_from_the_environment() {
    let f = file("[auth]\nusername = \"Bot@app\"\n", 0o644);
    let s = load(
        Some(f.path()),
        env(&[CONTACT, ("PARTNERBOT_AUTH__PASSWORD", BOT_PASSWORD)]),
    )
    .unwrap();
    match s.auth {
        Some(Auth::BotPassword { username, password }) => {
            assert_eq!(username, "Bot@app");
            assert_eq!(password.expose(), BOT_PASSWORD);
        }
        other => panic!("expected a bot password, got {other:?}"),
    }
}

#[test]
fn malformed_bot_password_is_refused_without_echo() {
    let err = load(
        None,
        env(&[
            CONTACT,
            ("PARTNERBOT_AUTH__USERNAME", "Bot@app"),
            ("PARTNERBOT_AUTH__PASSWORD", "hunter2-my-main-password"),
        ]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("auth.password"), "{err}");
    assert!(!err.contains("hunter2"), "secret leaked: {err}");

    let err = load(
        None,
        env(&[
            CONTACT,
            ("PARTNERBOT_AUTH__USERNAME", "Bot"),
            ("PARTNERBOT_AUTH__PASSWORD", BOT_PASSWORD),
        ]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("Account@appid"), "{err}");
}

#[test]
fn secret_without_username_or_with_both_secrets_is_refused() {
    let err = load(
        None,
        env(&[CONTACT, ("PARTNERBOT_AUTH__OAUTH2_TOKEN", "tok")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("auth.username"), "{err}");
    let err = load(
        None,
        env(&[
            CONTACT,
            ("PARTNERBOT_AUTH__USERNAME", "Bot@app"),
            ("PARTNERBOT_AUTH__OAUTH2_TOKEN", "tok"),
            ("PARTNERBOT_AUTH__PASSWORD", BOT_PASSWORD),
        ]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("not both"), "{err}");
}

#[test]
fn default_toml_documents_every_key() {
    // Each key line is preceded by a comment line (or another documented key of the same group).
    let lines: Vec<&str> = DEFAULT_TOML.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let is_key = line.contains(" = ") && !line.starts_with('#');
        if is_key {
            let documented = lines[..i]
                .iter()
                .rev()
                .take_while(|l| !l.trim().is_empty() && !l.starts_with('['))
                .any(|l| l.starts_with('#'));
            assert!(documented, "undocumented key: {line}");
        }
    }
}

#[test]
fn proposals_and_principles_are_checked() {
    let s = load(None, env(&[CONTACT])).unwrap();
    assert_eq!(s.proposals.template, "Partnership proposal");
    assert_eq!(s.proposals.aliases["stage"]["plan"], "planning");
    assert_eq!(s.proposals.stages.ids().count(), 9);

    let f = file(
        "[principles]\nexclude = [{ pattern = \"(unclosed\", reason = \"r\" }]\n",
        0o600,
    );
    let err = load(Some(f.path()), env(&[CONTACT]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("principles.exclude") && err.contains(&f.path().display().to_string()),
        "{err}"
    );

    let f = file(
        "[principles]\nrequire = [{ params = [\"goal\"], from_stage = \"someday\", reason = \"r\" }]\n",
        0o600,
    );
    let err = load(Some(f.path()), env(&[CONTACT]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`someday` is not a stage"), "{err}");

    let stages = file(
        "[[stage]]\nid = \"only\"\nlabel = \"Only\"\nstep = \"s\"\n[[stage.item]]\nid = \"x\"\nlabel = \"X\"\nevidence = { param_filled = \"nope\" }\n",
        0o600,
    );
    let err = load(
        None,
        env(&[
            CONTACT,
            (
                "PARTNERBOT_PROPOSALS__STAGES_FILE",
                &stages.path().display().to_string(),
            ),
        ]),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("proposals.stages_file") && err.contains("`nope`"),
        "{err}"
    );
}

#[test]
fn index_targets_stages_and_templates_are_checked() {
    let s = load(None, env(&[CONTACT])).unwrap();
    let ix = &s.index;
    assert_eq!(
        ix.case_study_from_stage,
        s.proposals.stages.index_of("evaluation").unwrap()
    );
    assert_eq!(ix.patterns.infobox, ["Probox"]);
    let cs = ix.targets.case_studies.as_ref().unwrap();
    assert_eq!(cs.page, "Community Capacity Development/Partnerships");
    assert_eq!(cs.section.as_deref(), Some("Case studies"));

    let f = file(
        "[index]\ncase_study_from_stage = \"later\"\nproposals_target = \"\"\n",
        0o600,
    );
    let err = load(Some(f.path()), env(&[CONTACT]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("index.case_study_from_stage") && err.contains("evaluation"),
        "{err}"
    );
    let f = file(
        "[index]\nproposals_target = \"\"\ncommunities_target = \"Index\"\n",
        0o600,
    );
    let s = load(Some(f.path()), env(&[CONTACT])).unwrap();
    assert!(s.index.targets.proposals.is_none());
    assert_eq!(s.index.targets.communities.as_ref().unwrap().section, None);
    let err = load(
        None,
        env(&[
            CONTACT,
            ("PARTNERBOT_INDEX__LEARNING_PATTERNS_TARGET", "[[Bad]]#X"),
        ]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("index.learning_patterns_target"), "{err}");
    let err = load(
        None,
        env(&[CONTACT, ("PARTNERBOT_INDEX__PATTERN_PROBLEM_PARAM", "a|b")]),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("index.pattern_problem_param"), "{err}");
}
