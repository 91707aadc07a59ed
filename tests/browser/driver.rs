//! A headless Debian chromium driven through chromedriver (WebDriver), with a blocking API for
//! the tests. Both processes are ours: chromedriver runs in its own process group on a free
//! port, chromium gets a fresh profile, and dropping the [`Browser`] ends them all, also when a
//! test panics.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a page element may take to appear.
pub const FIND: Duration = Duration::from_secs(20);

/// Chromium's flags. The machine may have no internet: without the background-networking and
/// component flags Chromium keeps opening connections that are refused many at a time.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
];

/// Why the browser test cannot run here, or None if chromium and chromedriver both run.
pub fn unavailable() -> Option<String> {
    for (bin, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
        let runs = Command::new(bin)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !runs {
            return Some(format!("{bin} does not run (Debian package {package})"));
        }
    }
    None
}

/// chromedriver and the chromium it starts; killed on drop.
struct Driver {
    child: Child,
    /// Chromium's fresh profile; also how its processes are recognised when cleaning up.
    profile: tempfile::TempDir,
    log: PathBuf,
}

impl Driver {
    fn start(port: u16) -> Driver {
        let profile = tempfile::Builder::new()
            .prefix("partnerbot-chromium-")
            .tempdir()
            .unwrap();
        let log = profile.path().with_extension("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0) // Its own group, so drop can signal it with its children.
            .spawn()
            .expect("start chromedriver");
        Driver {
            child,
            profile,
            log,
        }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pgid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{pgid}")])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .status();
        let _ = self.child.wait();
        // Chromium helpers that left the group: found by our unique profile path, by pid.
        for pid in pids_with_arg(self.profile.path()) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Processes whose command line mentions `path`.
fn pids_with_arg(path: &Path) -> Vec<u32> {
    let needle = path.to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&needle))
        })
        .collect()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().unwrap().port()
}

/// A WebDriver session in headless chromium, blocking calls.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    client: Option<Client>,
    /// Held for its drop, which ends chromedriver and chromium after the session.
    _driver: Driver,
}

impl Browser {
    pub fn start() -> Browser {
        let port = free_port();
        let driver = Driver::start(port);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut args: Vec<String> = FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            driver.profile.path().display()
        ));
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        let Value::Object(caps) = caps else {
            unreachable!()
        };
        let url = format!("http://127.0.0.1:{port}");
        // chromedriver needs a moment to listen; the session start then launches chromium.
        let started = Instant::now();
        let client = loop {
            let attempt = runtime.block_on(
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&url),
            );
            match attempt {
                Ok(client) => break client,
                Err(e) if started.elapsed() > Duration::from_secs(30) => panic!(
                    "no WebDriver session from chromedriver on port {port}: {e}\n{}",
                    driver.log_tail()
                ),
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        };
        Browser {
            runtime,
            client: Some(client),
            _driver: driver,
        }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("session open")
    }

    fn run<T>(
        &self,
        what: &str,
        f: impl std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
    ) -> T {
        self.runtime
            .block_on(f)
            .unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    pub fn goto(&self, url: &str) {
        self.run(&format!("open {url}"), self.client().goto(url));
    }

    pub fn refresh(&self) {
        self.run("reload", self.client().refresh());
    }

    pub fn current_url(&self) -> String {
        self.run("current URL", self.client().current_url())
            .to_string()
    }

    /// Whether an element matching `css` is on the page now.
    pub fn has(&self, css: &str) -> bool {
        !self
            .run(css, self.client().find_all(Locator::Css(css)))
            .is_empty()
    }

    /// Waits up to [`FIND`] for an element matching `css`.
    fn find(&self, css: &str) -> fantoccini::elements::Element {
        let wait = self
            .client()
            .wait()
            .at_most(FIND)
            .for_element(Locator::Css(css));
        self.runtime
            .block_on(wait)
            .unwrap_or_else(|e| panic!("no {css} within {FIND:?} on {}: {e}", self.current_url()))
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.run(&format!("type into {css}"), e.send_keys(text));
    }

    pub fn click(&self, css: &str) {
        let e = self.find(css);
        self.run(&format!("click {css}"), e.click());
    }

    pub fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.run(&format!("text of {css}"), e.text())
    }

    /// The `value` property of a form field.
    pub fn value(&self, css: &str) -> String {
        let e = self.find(css);
        self.run(&format!("value of {css}"), e.prop("value"))
            .unwrap_or_default()
    }

    /// Runs JavaScript in the page and returns its result.
    pub fn js(&self, script: &str) -> Value {
        self.run(script, self.client().execute(script, Vec::new()))
    }

    /// Scrolls so that the element matching `css` is at the top of the window.
    pub fn scroll_to(&self, css: &str) {
        self.find(css);
        let selector = serde_json::to_string(css).unwrap();
        self.js(&format!(
            "document.querySelector({selector}).scrollIntoView({{block: 'start'}});"
        ));
    }

    /// Saves what the window shows as a PNG.
    pub fn screenshot(&self, path: &Path) {
        let png = self.run("screenshot", self.client().screenshot());
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the session, which quits chromium; the driver's drop kills whatever is left.
        if let Some(client) = self.client.take() {
            // The timer must be made inside the runtime.
            let close =
                async { tokio::time::timeout(Duration::from_secs(10), client.close()).await };
            let _ = self.runtime.block_on(close);
        }
    }
}
