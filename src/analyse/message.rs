//! Words the bot writes, as data: a message key with arguments. On the wiki a message becomes
//! `{{Partnership message|KEY|args…}}`, which the reader sees in their language (see
//! `wikitext-templates/Template:Partnership_message/doc.wikitext`); for maintainers (CLI,
//! JSON, logs) [`Message::english`] renders it from the same English texts the wiki uses,
//! `Template:Partnership messages/en`, compiled in.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};

/// The English texts, as installed on the wiki.
pub const ENGLISH_SOURCE: &str =
    include_str!("../../wikitext-templates/Template:Partnership_messages/en.wikitext");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: String,
    pub args: Vec<Arg>,
    /// Shown when no language defines the key: the configured English label of a stage or
    /// checklist item, whose keys (`stage-ID`, `item-ID`) only translations define.
    pub default: Option<String>,
}

/// A message argument: text copied from a page or the settings (made inert when written), or
/// another message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Message(Message),
}

impl Message {
    pub fn new(key: &str) -> Self {
        Message {
            key: key.to_owned(),
            args: Vec::new(),
            default: None,
        }
    }

    /// A label keyed by an id, with its configured English text as the fallback.
    pub fn label(prefix: &str, id: &str, english: &str) -> Self {
        Message {
            default: Some(english.to_owned()),
            ..Message::new(&format!("{prefix}-{id}"))
        }
    }

    /// The label of stage `id`.
    pub fn stage(id: &str, english: &str) -> Self {
        Message::label("stage", id, english)
    }

    /// Adds a text argument.
    pub fn arg(mut self, text: impl Into<String>) -> Self {
        self.args.push(Arg::Text(text.into()));
        self
    }

    /// Adds a message argument.
    pub fn with(mut self, message: Message) -> Self {
        self.args.push(Arg::Message(message));
        self
    }

    /// The message in English plain text (`<code>x</code>` shown as `` `x` ``), for the CLI.
    pub fn english(&self) -> String {
        let Some(template) = english_texts().get(self.key.as_str()) else {
            return self
                .default
                .clone()
                .unwrap_or_else(|| format!("⧼{}⧽", self.key));
        };
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                Arg::Text(t) => t.clone(),
                Arg::Message(m) => m.english(),
            })
            .collect();
        let mut out = template.clone();
        for n in 2..=8 {
            let value = args.get(n - 2).map(String::as_str).unwrap_or_default();
            out = out
                .replace(&format!("{{{{{{{n}|}}}}}}"), value)
                .replace(&format!("{{{{{{{n}}}}}}}"), value);
        }
        plural(&out)
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

/// JSON output (`inspect --json`) stays English plain text.
impl Serialize for Message {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.english())
    }
}

/// The cases of a `Template:Partnership messages/xx` page: key -> text, as written. One case
/// per line (`|key=text`); the `#default` case is skipped.
pub fn parse_cases(source: &str) -> HashMap<String, String> {
    source
        .lines()
        .filter_map(|line| line.strip_prefix('|'))
        .filter_map(|case| case.split_once('='))
        .filter(|(key, _)| !key.starts_with('#'))
        .map(|(key, text)| (key.trim().to_owned(), text.trim().to_owned()))
        .collect()
}

/// English texts with wiki markup turned into what a terminal shows.
fn english_texts() -> &'static HashMap<String, String> {
    static TEXTS: OnceLock<HashMap<String, String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        parse_cases(ENGLISH_SOURCE)
            .into_iter()
            .map(|(key, text)| {
                let plain = text
                    .replace("<code>", "`")
                    .replace("</code>", "`")
                    .replace("[[:", "[[")
                    .replace("&#91;", "[")
                    .replace("&#93;", "]")
                    .replace("&#123;", "{")
                    .replace("&#125;", "}");
                (key, plain)
            })
            .collect()
    })
}

/// `{{PLURAL:n|one|other}}` with English rules.
fn plural(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("{{PLURAL:") {
        out.push_str(&rest[..at]);
        let inner = &rest[at + "{{PLURAL:".len()..];
        let Some(end) = inner.find("}}") else {
            out.push_str(&rest[at..]);
            return out;
        };
        let parts: Vec<&str> = inner[..end].split('|').collect();
        let one = parts.first().is_some_and(|n| n.trim() == "1");
        let form = if one { parts.get(1) } else { parts.get(2) };
        out.push_str(form.or(parts.last()).copied().unwrap_or_default());
        rest = &inner[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
