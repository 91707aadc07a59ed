//! The command line without a wiki: help texts and configuration errors.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::{partnerbot_with, stderr, stdout};

fn partnerbot(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_partnerbot"))
        .args(args)
        .env_remove("PARTNERBOT_CONFIG")
        .output()
        .unwrap()
}

#[test]
fn every_command_has_help_with_examples() {
    for args in [
        vec!["--help"],
        vec!["status", "--help"],
        vec!["templates", "--help"],
        vec!["templates", "install", "--help"],
        vec!["templates", "diff", "--help"],
        vec!["resources", "--help"],
    ] {
        let out = partnerbot(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("Usage: partnerbot"), "{args:?}: {text}");
        if args.len() > 1 && args[1] != "--help" || args[0] == "--help" {
            assert!(
                text.contains("Examples:"),
                "{args:?} lacks examples: {text}"
            );
        }
    }
}

#[test]
fn unknown_command_is_a_usage_error() {
    let out = partnerbot(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn broken_config_exits_78_naming_key_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[wiki]\nurl = \"not a url\"\n[bot]\nuser_agent_contact = \"x\"\n",
    )
    .unwrap();
    let out = partnerbot_with(&path, &["status"], &[]);
    assert_eq!(out.status.code(), Some(78));
    let err = stderr(&out);
    assert!(
        err.contains("`wiki.url`") && err.contains(&path.display().to_string()),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn config_with_a_secret_readable_by_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open.toml");
    let secret = "0123456789abcdef0123456789abcdef";
    std::fs::write(
        &path,
        format!("[auth]\nusername = \"Bot@app\"\npassword = \"{secret}\"\n[bot]\nuser_agent_contact = \"x\"\n"),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = partnerbot_with(&path, &["status"], &[]);
    assert_eq!(out.status.code(), Some(78));
    assert!(stderr(&out).contains("chmod 600"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(secret) && !stdout(&out).contains(secret));
}

#[test]
fn missing_templates_dir_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    // Nothing listens on port 9: the folder must be read, and fail, before any request.
    std::fs::write(
        &path,
        "[wiki]\nurl = \"http://127.0.0.1:9/\"\ntimeout_s = 2\n[bot]\nuser_agent_contact = \"x\"\n",
    )
    .unwrap();
    let out = partnerbot_with(
        &path,
        &["templates", "diff"],
        &[("PARTNERBOT_TEMPLATES__DIR", "/nonexistent")],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("templates folder /nonexistent"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
