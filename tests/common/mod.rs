//! A real MediaWiki for integration tests: `deploy/devwiki` in a temporary folder on a free
//! port, one per test binary, stopped when the guard drops (also when a test fails).

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct DevWiki {
    dir: tempfile::TempDir,
    pub port: u16,
    pub url: String,
    runtime: tokio::runtime::Runtime,
    api: mwapi::Client,
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().unwrap().port()
}

impl DevWiki {
    /// Installs and starts a fresh wiki; panics with the script's output if that fails.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("partnerbot-devwiki-")
            .tempdir()
            .unwrap();
        let port = free_port();
        let out = Command::new(repo_root().join("deploy/devwiki"))
            .arg("up")
            .arg(dir.path())
            .arg(port.to_string())
            .output()
            .expect("run deploy/devwiki");
        if !out.status.success() {
            // Stop whatever may have started before failing.
            let _ = Command::new(repo_root().join("deploy/devwiki"))
                .arg("stop")
                .arg(dir.path())
                .output();
            panic!(
                "deploy/devwiki up failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let url = format!("http://127.0.0.1:{port}/");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let api = runtime
            .block_on(mwapi::Client::builder(&format!("{url}api.php")).build())
            .expect("anonymous API client");
        DevWiki {
            dir,
            port,
            url,
            runtime,
            api,
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn config(&self) -> PathBuf {
        self.dir().join("partnerbot.toml")
    }

    /// Runs the partnerbot binary with the dev wiki's config from the repository root.
    pub fn partnerbot(&self, args: &[&str]) -> Output {
        partnerbot_with(&self.config(), args, &[])
    }

    /// An anonymous API GET (the tests' independent view of the wiki).
    pub fn api(&self, params: &[(&str, &str)]) -> Value {
        self.runtime
            .block_on(self.api.get_value(params))
            .unwrap_or_else(|e| panic!("API request {params:?} failed: {e}"))
    }

    /// Latest revision id and content of a page, or None if it does not exist.
    pub fn page(&self, title: &str) -> Option<(u64, String)> {
        let r = self.api(&[
            ("action", "query"),
            ("prop", "revisions"),
            ("rvprop", "ids|content"),
            ("rvslots", "main"),
            ("titles", title),
        ]);
        let rev = r["query"]["pages"][0]["revisions"].get(0)?;
        Some((
            rev["revid"].as_u64().unwrap(),
            rev["slots"]["main"]["content"].as_str().unwrap().to_owned(),
        ))
    }

    /// Total number of edits on the wiki (a cheap "did anything change" probe).
    pub fn edit_count(&self) -> u64 {
        let r = self.api(&[
            ("action", "query"),
            ("meta", "siteinfo"),
            ("siprop", "statistics"),
        ]);
        r["query"]["statistics"]["edits"].as_u64().unwrap()
    }

    /// An edit by the human Admin account, through MediaWiki's own maintenance script.
    pub fn human_edit(&self, title: &str, text: &str) {
        self.maint(
            &[
                "edit.php",
                "-u",
                "Admin",
                "-s",
                "human edit in a test",
                title,
            ],
            text,
        );
    }
}

impl Drop for DevWiki {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("deploy/devwiki"))
            .arg("stop")
            .arg(self.dir())
            .output();
    }
}

/// Runs the partnerbot binary from the repository root with extra environment variables.
pub fn partnerbot_with(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_partnerbot"));
    command
        .current_dir(repo_root())
        .arg("--config")
        .arg(config)
        .args(args);
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run partnerbot")
}

/// Starts the continuous job (`partnerbot run`) with `config`, its log (stderr) going to `log`.
pub fn spawn_run(config: &Path, log: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_partnerbot"))
        .current_dir(repo_root())
        .arg("--config")
        .arg(config)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("start partnerbot run")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success and returns stdout, showing both streams on failure.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "partnerbot exited with {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

impl DevWiki {
    /// Saves every page of a folder (same file-name rule as wikitext-templates/) as Admin.
    pub fn import_pages(&self, dir: &Path) {
        for file in partnerbot::pagefiles::load_dir(dir).expect("page folder") {
            self.human_edit(&file.title, &file.text);
        }
    }

    /// Runs the wiki's job queue (link tables of pages whose templates changed).
    pub fn run_jobs(&self) {
        let out = Command::new(repo_root().join("deploy/devwiki"))
            .arg("jobs")
            .arg(self.dir())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "runJobs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Page text, or "" if the page does not exist.
    pub fn text(&self, title: &str) -> String {
        self.page(title).map(|(_, t)| t).unwrap_or_default()
    }
}

impl DevWiki {
    /// Runs a maintenance script with optional stdin; panics with its output on failure.
    pub fn maint(&self, args: &[&str], stdin: &str) -> String {
        let mut child = Command::new(repo_root().join("deploy/devwiki"))
            .arg("maint")
            .arg(self.dir())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Creates an account (idempotent enough for tests: an existing one is kept).
    pub fn create_user(&self, name: &str) {
        let _ = Command::new(repo_root().join("deploy/devwiki"))
            .arg("maint")
            .arg(self.dir())
            .args(["createAndPromote.php", name, "Voter-password-2026"])
            .output();
    }

    /// An edit made as `user` (who must exist), through edit.php.
    pub fn edit_as(&self, user: &str, title: &str, text: &str) {
        self.maint(&["edit.php", "-u", user, "-s", "test edit", title], text);
    }
}

/// A test of a wiki test binary.
pub type WikiTest = fn(&DevWiki) -> Result<(), libtest_mimic::Failed>;

/// The `main` of a wiki test binary: one wiki for all its tests, run one at a time in the
/// order given (they share the wiki), set up by `setup`, stopped before the process exits
/// (also when a test fails). Listing the tests starts no wiki.
pub fn run_wiki_tests(tests: &[(&'static str, WikiTest)], setup: fn(&DevWiki)) -> ! {
    use std::sync::Arc;
    let mut args = libtest_mimic::Arguments::from_args();
    args.test_threads = Some(1);
    let trials = |wiki: Option<Arc<DevWiki>>| -> Vec<libtest_mimic::Trial> {
        tests
            .iter()
            .map(|&(name, test)| {
                let wiki = wiki.clone();
                libtest_mimic::Trial::test(name, move || {
                    test(wiki.as_deref().expect("wiki started"))
                })
            })
            .collect()
    };
    if args.list {
        libtest_mimic::run(&args, trials(None)).exit();
    }
    let wiki = Arc::new(DevWiki::start());
    setup(&wiki);
    let conclusion = libtest_mimic::run(&args, trials(Some(wiki.clone())));
    drop(wiki); // Stops the server: exit() skips destructors.
    conclusion.exit();
}
