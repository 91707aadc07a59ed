use super::*;

fn rules() -> SignatureRules {
    SignatureRules::new(&SiteNames {
        user_namespaces: ["User", "User talk", "User_talk", "Utilisateur"]
            .map(String::from)
            .to_vec(),
        hosts: vec!["meta.wikimedia.org".into()],
        ..SiteNames::english()
    })
}

fn user(line: &str) -> Option<String> {
    rules().signature(line).map(|s| s.user)
}

const TS: &str = "10:12, 3 March 2026 (UTC)";

#[test]
fn signature_forms() {
    let cases: &[(&str, &str)] = &[
        (
            "[[User:Ana Lopes|Ana]] ([[User talk:Ana Lopes|talk]])",
            "Ana Lopes",
        ),
        ("[[User talk:Ana_Lopes|talk]]", "Ana Lopes"),
        ("[[user:ana  lopes]]", "Ana lopes"),
        ("[[m:User:Meta Person|MP]]", "Meta Person"),
        ("[[:de:Benutzer:Hans Müller|Hans]]", "Hans Müller"),
        ("[[w:fr:Utilisatrice:Claire|Claire]]", "Claire"),
        ("[[Benutzerin:Greta|G]]", "Greta"),
        ("[[Special:Contributions/192.0.2.7|192.0.2.7]]", "192.0.2.7"),
        ("[[Special:Contribs/2001:db8::ff|x]]", "2001:DB8::FF"),
        ("[https://de.wikipedia.org/wiki/Benutzer:Karl Karl]", "Karl"),
        (
            "[https://meta.wikimedia.org/w/index.php?title=User:Idx&action=edit Idx]",
            "Idx",
        ),
        ("[[User:Percent%20Name|p]]", "Percent Name"),
        ("[[User:Amp&amp;Co|x]]", "Amp&Co"),
        ("[[Участник:Иван|Иван]]", "Иван"),
    ];
    for (link, expected) in cases {
        assert_eq!(
            user(&format!("'''Support''' {link} {TS}")).as_deref(),
            Some(*expected),
            "{link}"
        );
    }
}

#[test]
fn not_signatures() {
    for line in [
        format!("[[User:Ana/Sandbox|my draft]] {TS}"),
        format!("[[Project:Ana|Ana]] {TS}"),
        format!("[https://evil.example.org/wiki/User:Ana Ana] {TS}"),
        "[[User:Ana|Ana]] no timestamp".to_string(),
        format!("{TS} [[User:Ana|Ana]]"),
    ] {
        assert_eq!(user(&line), None, "{line}");
    }
}

#[test]
fn display_text_never_decides_and_nearest_link_before_last_timestamp_wins() {
    assert_eq!(
        user(&format!("[[User:Real|Someone Else]] {TS}")).as_deref(),
        Some("Real")
    );
    let line = format!(
        "per [[User:Other|Other]] {TS}, I agree. [[User:Voter|V]] ([[User talk:Voter|t]]) 11:00, 4 March 2026 (UTC)"
    );
    let sig = rules().signature(&line).unwrap();
    assert_eq!(sig.user, "Voter");
    assert_eq!(
        sig.at.format("%Y-%m-%d %H:%M").to_string(),
        "2026-03-04 11:00"
    );
}

#[test]
fn a_stray_utc_after_the_last_timestamp_is_skipped() {
    let line = format!("[[User:A|A]] {TS} and then a note about (UTC) time");
    assert_eq!(user(&line).as_deref(), Some("A"));
    assert_eq!(
        user("[[User:A|A]] 9:05, 1 March 2026 (UTC)").as_deref(),
        Some("A")
    );
}

#[test]
fn names_ips_and_temporary_accounts() {
    assert_eq!(
        normalize_user("foo_bar  baz").as_deref(),
        Some("Foo bar baz")
    );
    assert!(is_ip("192.0.2.1") && is_ip("2001:DB8::1") && !is_ip("Ana"));
    assert!(is_temporary("~2025-12345-67") && !is_temporary("~Tilde"));
}

proptest::proptest! {
    #[test]
    fn never_panics(s in "\\PC{0,200}") {
        let r = rules();
        let _ = r.signature(&s);
        let _ = r.user_links(&s);
        let _ = normalize_user(&s);
    }

    #[test]
    fn never_panics_on_link_soup(s in "[\\[\\]|:/%&#;a-zA-Z0-9 ]{0,120}") {
        let _ = rules().signature(&format!("{s} {TS}"));
    }
}
