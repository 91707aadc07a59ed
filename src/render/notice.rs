//! The talk-page notice of a stage change. Posted once per transition: its hidden marker
//! (`partnerbot:stage-notice n=N`) lets a later run see that transition N was already announced.

use super::checklist::checklist_call;
use super::inert::inert;
use super::message::{Lang, call};
use crate::analyse::checklist::Checklist;
use crate::analyse::message::Message;

#[derive(Debug, Clone)]
pub struct Notice {
    /// The section title as a message; MediaWiki's section titles are plain text, so the wiki
    /// expands it in the notice's language before posting (see [`Notice::lang`]).
    pub title: Message,
    /// The notice's language (the proposal page's), written into its template calls.
    pub lang: Option<String>,
    pub text: String,
}

impl Notice {
    /// The section title as wikitext to expand.
    pub fn title_call(&self) -> String {
        let lang = self.lang.as_deref().map_or(Lang::READER, Lang::fixed);
        call(&self.title, lang)
    }
}

/// The marker that identifies transition `n` of a page on its talk page.
pub fn marker(n: u32) -> String {
    format!("<!-- partnerbot:stage-notice n={n} ")
}

/// Whether the talk page already holds the notice of transition `n`.
pub fn already_posted(talk_text: &str, n: u32) -> bool {
    talk_text.contains(&marker(n))
}

/// The notice of transition `n` from stage `from` to the checklist's stage, in `lang` (the
/// proposal page's language; the templates show English where it has no translation).
pub fn stage_notice(
    page_title: &str,
    from: &str,
    checklist: &Checklist,
    contacts: &[String],
    n: u32,
    docs_page: &str,
    lang: Lang,
) -> Notice {
    let pings: Vec<String> = contacts
        .iter()
        .map(|u| format!("[[User:{u}|{}]]", inert(u)))
        .collect();
    let greeting = if pings.is_empty() {
        String::new()
    } else {
        format!("{}: ", pings.join(", "))
    };
    let to_label = Message::stage(&checklist.stage, &checklist.stage_label);
    let moved = Message::new("notice-moved")
        .arg(page_title)
        // The earlier stage's configured label is not at hand: its id is the fallback.
        .with(Message::stage(from, from))
        .with(to_label.clone())
        .arg(docs_page);
    let text = format!(
        "{marker}from={from} to={to} -->\n\
         {greeting}{moved}\n\n\
         {call}\n\n\
         ~~~~",
        marker = marker(n),
        from = inert(from),
        to = inert(&checklist.stage),
        moved = call(&moved, lang),
        call = checklist_call(Some(checklist), &[], lang),
    );
    Notice {
        title: Message::new("notice-title").with(to_label),
        lang: lang.code().map(str::to_owned),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_carries_its_marker_pings_and_language() {
        let c = Checklist {
            stage: "agreement".into(),
            stage_label: "Agreement".into(),
            items: vec![],
            done: 3,
            total: 9,
        };
        let n = stage_notice(
            "Partnerships/Proposals/X",
            "planning",
            &c,
            &["Ana Lopes".into()],
            2,
            "User:Partnerbot",
            Lang::fixed("fr"),
        );
        assert!(
            n.text
                .starts_with("<!-- partnerbot:stage-notice n=2 from=planning to=agreement -->")
        );
        assert!(n.text.contains(
            "[[User:Ana Lopes|Ana Lopes]]: {{Partnership message|notice-moved|Partnerships/Proposals/X\
             |{{Partnership message|stage-planning|default=planning|lang=fr}}\
             |{{Partnership message|stage-agreement|default=Agreement|lang=fr}}|User:Partnerbot|lang=fr}}"
        ), "{}", n.text);
        assert!(
            n.text.contains("| lang = fr\n"),
            "the checklist is in French too"
        );
        assert!(n.text.trim_end().ends_with("~~~~"));
        assert!(already_posted(&format!("older\n{}", n.text), 2));
        assert!(!already_posted(&n.text, 1));
        assert!(!already_posted(&n.text, 20), "n=2 is not a prefix of n=20");
        assert_eq!(n.title.english(), "Partnership stage: Agreement");
        assert_eq!(
            n.title_call(),
            "{{Partnership message|notice-title|{{Partnership message|stage-agreement|default=Agreement|lang=fr}}|lang=fr}}"
        );
    }
}
