//! Messages as wikitext: `{{Partnership message|KEY|arg…|default=…|lang=…}}`, the template
//! that shows a message in the page's or the reader's language.

use super::inert::inert;
use crate::analyse::message::{Arg, Message};

/// The language code written into a region's calls: set only for a page whose language differs
/// from the wiki's (a translation page `Foo/fr`, or one set with Special:PageLanguage); absent,
/// each reader sees their own interface language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lang<'a>(Option<&'a str>);

impl<'a> Lang<'a> {
    /// Each reader's own language.
    pub const READER: Lang<'static> = Lang(None);

    /// The language of a page's regions: `page` when it differs from the wiki's `content`
    /// language and is a plausible language code (anything else could not name a subpage).
    pub fn of_page(page: Option<&'a str>, content: &str) -> Self {
        Lang(page.filter(|p| *p != content && is_code(p)))
    }

    /// A fixed language (talk-page notices), if it is a plausible code.
    pub fn fixed(code: &'a str) -> Self {
        Lang(Some(code).filter(|c| is_code(c)))
    }

    pub fn code(self) -> Option<&'a str> {
        self.0
    }

    /// `|lang=xx`, or nothing.
    pub fn param(self) -> String {
        self.0.map(|c| format!("|lang={c}")).unwrap_or_default()
    }
}

fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 20
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A value copied from a page, safe as a positional template argument: [`inert`], and `=` as
/// an entity (it would turn the argument into a named one).
pub fn arg_value(value: &str) -> String {
    inert(value).replace('=', "&#61;")
}

/// The message as a `{{Partnership message}}` call.
pub fn call(message: &Message, lang: Lang) -> String {
    let mut out = String::from("{{Partnership message|");
    out.push_str(&arg_value(&message.key));
    for arg in &message.args {
        out.push('|');
        match arg {
            Arg::Text(t) => out.push_str(&arg_value(t)),
            Arg::Message(m) => out.push_str(&call(m, lang)),
        }
    }
    if let Some(default) = &message.default {
        out.push_str("|default=");
        out.push_str(&arg_value(default));
    }
    out.push_str(&lang.param());
    out.push_str("}}");
    out
}

/// [`call`] of a message without arguments.
pub fn key(key: &str, lang: Lang) -> String {
    call(&Message::new(key), lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_nest_and_hostile_arguments_stay_arguments() {
        let m = Message::new("problem-invalid-value")
            .arg("start")
            .arg("a=b}}{{Delete|x}}")
            .with(Message::stage("planning", "Plan=ning"));
        assert_eq!(
            call(&m, Lang::fixed("fr")),
            "{{Partnership message|problem-invalid-value|start|a&#61;b&#125;&#125;&#123;&#123;Delete&#124;x&#125;&#125;\
             |{{Partnership message|stage-planning|default=Plan&#61;ning|lang=fr}}|lang=fr}}"
        );
        assert_eq!(
            key("tally-title", Lang::READER),
            "{{Partnership message|tally-title}}"
        );
    }

    #[test]
    fn only_a_page_language_other_than_the_wikis_is_written() {
        assert_eq!(Lang::of_page(Some("fr"), "en").code(), Some("fr"));
        assert_eq!(Lang::of_page(Some("en"), "en").code(), None);
        assert_eq!(Lang::of_page(None, "en").code(), None);
        assert_eq!(Lang::of_page(Some("fr|x}}"), "en").code(), None);
        assert_eq!(Lang::fixed("pt-br").param(), "|lang=pt-br");
    }
}
