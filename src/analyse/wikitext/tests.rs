use super::*;

fn calls(text: &str) -> Vec<TemplateCall> {
    template_calls(text, &mask(text)).0
}

#[test]
fn mask_blanks_comments_and_opaque_tags_keeping_offsets() {
    let text = "a<!-- {{x}} -->b<nowiki>{{y}}</nowiki>c<pre>\n{{z}}</pre>d<NoWiki/>é";
    let masked = mask(text);
    assert_eq!(masked.len(), text.len());
    assert!(!masked.contains("{{"));
    assert!(masked.starts_with('a') && masked.ends_with('é'));
    assert_eq!(masked.matches('\n').count(), 1, "line structure kept");
    // An unclosed comment hides the rest of the page, as in MediaWiki.
    assert_eq!(mask("x<!-- {{y}}").trim(), "x");
}

#[test]
fn reads_named_and_positional_params() {
    let text = "intro {{Partnership proposal\n| partner = City Museum <!-- note -->\n| stage=planning\n|positional\n| goal = a [[Link|text]] and {{tl|x=y}}\n}} after";
    let c = calls(text);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].name, "Partnership proposal");
    assert_eq!(
        &text[c[0].range.clone()],
        text.trim_start_matches("intro ").trim_end_matches(" after")
    );
    let p = &c[0].params;
    assert_eq!(
        p[0],
        Param {
            name: Some("partner".into()),
            value: "City Museum".into()
        }
    );
    assert_eq!(
        p[1],
        Param {
            name: Some("stage".into()),
            value: "planning".into()
        }
    );
    assert_eq!(
        p[2],
        Param {
            name: None,
            value: "positional".into()
        }
    );
    assert_eq!(
        p[3].value, "a [[Link|text]] and {{tl|x=y}}",
        "pipes and = inside nesting stay"
    );
}

#[test]
fn nested_parameters_and_templates_do_not_split() {
    let c = calls("{{A|x={{{1|{{B|y}}}}}|z=[[File:F.jpg|thumb|[[L|l]]]]}}");
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].params.len(), 2);
    assert_eq!(c[0].params[1].value, "[[File:F.jpg|thumb|[[L|l]]]]");
}

#[test]
fn unclosed_and_masked_templates_are_not_calls() {
    let text = "{{Partnership proposal|partner=X\n== Heading ==\n<nowiki>{{B}}</nowiki> {{C}}";
    let (c, unclosed) = template_calls(text, &mask(text));
    assert_eq!(c.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["C"]);
    assert_eq!(unclosed, [0]);
}

#[test]
fn sections_with_levels_and_bodies() {
    let text = "lead\n== Plan ==\nbody one\n=== Sub ===\n\n<!--\n== hidden ==\n-->\n==Agreement<!--c-->==\n";
    let s = sections(text, &mask(text));
    let titles: Vec<_> = s.iter().map(|s| (s.level, s.title.as_str())).collect();
    assert_eq!(titles, [(2, "Plan"), (3, "Sub"), (2, "Agreement")]);
    assert_eq!(&text[s[0].body.clone()], "body one\n");
    assert_eq!(text[s[1].body.clone()].trim(), "<!--\n== hidden ==\n-->");
}

#[test]
fn deep_nesting_is_bounded_and_never_panics() {
    let deep = "{{".repeat(10_000) + &"}}".repeat(10_000);
    let _ = calls(&deep);
    let links = "[[".repeat(10_000);
    let _ = calls(&format!("{{{{A|{links}}}}}"));
}

proptest::proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC{0,200}") {
        let m = mask(&s);
        let _ = template_calls(&s, &m);
        let _ = sections(&s, &m);
    }

    #[test]
    fn never_panics_on_brace_soup(s in "[{}\\[\\]|=<>!a\n-]{0,200}") {
        let m = mask(&s);
        let (calls, _) = template_calls(&s, &m);
        for c in calls {
            proptest::prop_assert!(c.range.end <= s.len());
        }
        let _ = sections(&s, &m);
    }
}

#[test]
fn unclosed_nesting_is_linear() {
    // Quadratic scanning would take minutes on these.
    let opens = "{{".repeat(200_000);
    let (c, unclosed) = template_calls(&opens, &mask(&opens));
    assert!(c.is_empty());
    assert_eq!(unclosed.len(), 1, "one run of braces");
    let calls_open = "{{a|".repeat(100_000);
    let (_, unclosed) = template_calls(&calls_open, &mask(&calls_open));
    assert_eq!(unclosed.len(), 100_000);
}

#[test]
fn brace_runs_split_into_parameters_and_templates() {
    let c = calls("{{{{{1}}}|x}} {{{2}}} {{T|{{{3|d}}}}}");
    let names: Vec<_> = c.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["{{{1}}}", "T"]);
    assert_eq!(c[1].params[0].value, "{{{3|d}}}");
}

#[test]
fn closing_braces_inside_an_open_link_are_text() {
    let text = "{{A|[[b}} more";
    let (c, unclosed) = template_calls(text, &mask(text));
    assert!(c.is_empty());
    assert_eq!(unclosed, [0]);
}

#[test]
fn has_content_agrees_with_clean() {
    for s in [
        "",
        "  \n",
        "<!-- x -->",
        " <!-- x --> y",
        "<!-- unclosed",
        "a",
        "<!-- a --><!-- b -->\n",
    ] {
        assert_eq!(has_content(s), !clean(s).is_empty(), "{s:?}");
    }
}

#[test]
fn free_line_start_skips_lines_a_comment_covers() {
    let text = "a{{x}}b<!--\nhidden\n-->c\nd\n";
    assert_eq!(
        free_line_start(text, 6),
        Some(text.find("\nd").unwrap() + 1)
    );
    assert_eq!(free_line_start("a{{x}}\nb", 6), Some(7));
    assert_eq!(free_line_start("a{{x}}", 6), Some(6), "the end of the text");
    assert_eq!(free_line_start("a{{x}}<!--\nnever closed", 6), None);
    assert_eq!(free_line_start("<pre>\n</pre>\nx", 0), Some(13));
}
