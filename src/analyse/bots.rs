//! The `{{bots}}` / `{{nobots}}` exclusion convention
//! (<https://en.wikipedia.org/wiki/Template:Bots>): a page can opt out of all bots or of ours.

use super::wikitext;

/// Whether `bot` (account name) may edit a page with this wikitext.
pub fn allowed(text: &str, bot: &str) -> bool {
    let masked = wikitext::mask(text);
    let (calls, _) = wikitext::template_calls(text, &masked);
    let bot = bot.to_lowercase();
    let names = |value: &str| -> Vec<String> {
        value
            .split(',')
            .map(|n| n.trim().replace('_', " ").to_lowercase())
            .collect()
    };
    for call in &calls {
        match call.name.trim().to_lowercase().as_str() {
            "nobots" => return false,
            "bots" => {
                for p in &call.params {
                    let list = names(&p.value);
                    match p.name.as_deref() {
                        Some("allow") => {
                            return list.iter().any(|n| n == "all" || *n == bot);
                        }
                        Some("deny") if list.iter().any(|n| n == "all" || *n == bot) => {
                            return false;
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn follows_the_convention() {
        assert!(allowed("plain page", "Partnerbot"));
        assert!(!allowed("{{nobots}}", "Partnerbot"));
        assert!(!allowed("{{bots|deny=all}}", "Partnerbot"));
        assert!(!allowed("{{bots|deny=OtherBot, Partnerbot}}", "Partnerbot"));
        assert!(allowed("{{bots|deny=OtherBot}}", "Partnerbot"));
        assert!(allowed("{{bots|allow=Partnerbot}}", "Partnerbot"));
        assert!(!allowed("{{bots|allow=none}}", "Partnerbot"));
        assert!(
            allowed("<nowiki>{{nobots}}</nowiki>", "Partnerbot"),
            "masked text does not count"
        );
    }
}
