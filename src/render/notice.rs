//! The talk-page notice of a stage change. Posted once per transition: its hidden marker
//! (`partnerbot:stage-notice n=N`) lets a later run see that transition N was already announced.

use super::checklist::checklist_call;
use super::inert::inert;
use crate::analyse::checklist::Checklist;

#[derive(Debug, Clone)]
pub struct Notice {
    pub section_title: String,
    pub text: String,
}

/// The marker that identifies transition `n` of a page on its talk page.
pub fn marker(n: u32) -> String {
    format!("<!-- partnerbot:stage-notice n={n} ")
}

/// Whether the talk page already holds the notice of transition `n`.
pub fn already_posted(talk_text: &str, n: u32) -> bool {
    talk_text.contains(&marker(n))
}

pub fn stage_notice(
    page_title: &str,
    from: &str,
    checklist: &Checklist,
    contacts: &[String],
    n: u32,
    docs_page: &str,
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
    let text = format!(
        "{marker}from={from} to={to} -->\n\
         {greeting}the partnership proposal [[{page}]] moved from stage ''{from_label}'' to \
         '''{to_label}'''. Here is its checklist for the new stage; items are ticked as the page \
         shows evidence for them ([[{docs_page}|how]]).\n\n\
         {call}\n\n\
         ~~~~",
        marker = marker(n),
        from = inert(from),
        to = inert(&checklist.stage),
        page = page_title,
        from_label = inert(from),
        to_label = inert(&checklist.stage_label),
        call = checklist_call(Some(checklist), &[]),
    );
    Notice {
        section_title: format!("Partnership stage: {}", inert(&checklist.stage_label)),
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_carries_its_marker_and_pings() {
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
        );
        assert!(
            n.text
                .starts_with("<!-- partnerbot:stage-notice n=2 from=planning to=agreement -->")
        );
        assert!(n.text.contains(
            "[[User:Ana Lopes|Ana Lopes]]: the partnership proposal [[Partnerships/Proposals/X]]"
        ));
        assert!(n.text.trim_end().ends_with("~~~~"));
        assert!(already_posted(&format!("older\n{}", n.text), 2));
        assert!(!already_posted(&n.text, 1));
        assert!(!already_posted(&n.text, 20), "n=2 is not a prefix of n=20");
        assert_eq!(n.section_title, "Partnership stage: Agreement");
    }
}
