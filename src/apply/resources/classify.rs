//! From what the wiki or a web server said to a verdict and a reason a human can act on.

use crate::analyse::resources::{Finding, LinkTarget, Verdict};
use crate::web::Probe;
use crate::wiki::PageFacts;

fn finding(target: LinkTarget, verdict: Verdict, detail: &str, to: Option<String>) -> Finding {
    Finding {
        target,
        verdict,
        detail: detail.to_owned(),
        to,
    }
}

/// A wikilink's verdict.
pub fn page(target: LinkTarget, f: &PageFacts) -> Finding {
    use Verdict::*;
    if f.interwiki {
        return finding(target, Skipped, "a page of another wiki: not checked", None);
    }
    if f.special {
        return finding(target, Skipped, "a special page: not checked", None);
    }
    if let Some(reason) = &f.invalid {
        let detail = format!("not a valid title ({reason})");
        return finding(target, Broken, &detail, None);
    }
    match (&f.redirect_to, f.exists, f.disambiguation) {
        (Some(to), false, _) => finding(
            target,
            Broken,
            "redirects to a page that does not exist",
            Some(to.clone()),
        ),
        (Some(to), true, true) => finding(
            target,
            Disambiguation,
            "redirects to a disambiguation page; link the meaning intended",
            Some(to.clone()),
        ),
        (Some(to), true, false) => finding(target, Moved, "redirects", Some(to.clone())),
        (None, false, _) => finding(target, Broken, "the page does not exist", None),
        (None, true, true) => finding(
            target,
            Disambiguation,
            "a disambiguation page; link the meaning intended",
            None,
        ),
        (None, true, false) => finding(target, Ok, "the page exists", None),
    }
}

/// An external link's verdict.
pub fn url(target: LinkTarget, probe: &Probe) -> Finding {
    match probe {
        Probe::Failed(why) | Probe::Unavailable(why) => finding(target, Verdict::Broken, why, None),
        Probe::Answered {
            status,
            reason,
            final_url,
            redirect,
        } => {
            let http = format!("HTTP {status} {reason}").trim_end().to_owned();
            let success = (200..300).contains(status);
            match (success, redirect) {
                (true, None) => finding(target, Verdict::Ok, &http, None),
                (true, Some(r)) => {
                    let kind = if matches!(r, 301 | 308) {
                        "permanent"
                    } else {
                        "temporary"
                    };
                    let detail = format!("HTTP {r} ({kind} redirect)");
                    finding(target, Verdict::Moved, &detail, Some(final_url.clone()))
                }
                (false, None) => finding(target, Verdict::Broken, &http, None),
                (false, Some(_)) => {
                    let detail = format!("{http} after a redirect");
                    finding(target, Verdict::Broken, &detail, Some(final_url.clone()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(exists: bool, redirect: Option<&str>, dab: bool) -> PageFacts {
        PageFacts {
            exists,
            redirect_to: redirect.map(str::to_owned),
            disambiguation: dab,
            ..Default::default()
        }
    }

    fn answered(status: u16, reason: &str, redirect: Option<u16>) -> Probe {
        Probe::Answered {
            status,
            reason: reason.into(),
            final_url: "https://b.example/".into(),
            redirect,
        }
    }

    #[test]
    fn wikilinks() {
        let t = || LinkTarget::Page("X".into());
        let v = |f: &PageFacts| {
            let f = page(t(), f);
            (f.verdict, f.to)
        };
        assert_eq!(v(&facts(true, None, false)), (Verdict::Ok, None));
        assert_eq!(v(&facts(false, None, false)), (Verdict::Broken, None));
        assert_eq!(
            v(&facts(true, Some("Y#P"), false)),
            (Verdict::Moved, Some("Y#P".into()))
        );
        assert_eq!(v(&facts(false, Some("Y"), false)).0, Verdict::Broken);
        assert_eq!(v(&facts(true, None, true)).0, Verdict::Disambiguation);
        assert_eq!(v(&facts(true, Some("Y"), true)).0, Verdict::Disambiguation);
        let other = PageFacts {
            interwiki: true,
            ..Default::default()
        };
        assert_eq!(v(&other).0, Verdict::Skipped);
    }

    #[test]
    fn addresses() {
        let t = || LinkTarget::Url("https://a.example/".into());
        let ok = url(t(), &answered(200, "OK", None));
        assert_eq!(
            (ok.verdict, ok.detail.as_str()),
            (Verdict::Ok, "HTTP 200 OK")
        );
        let moved = url(t(), &answered(200, "OK", Some(301)));
        assert_eq!(moved.verdict, Verdict::Moved);
        assert_eq!(moved.detail, "HTTP 301 (permanent redirect)");
        assert_eq!(moved.to.as_deref(), Some("https://b.example/"));
        let temporary = url(t(), &answered(204, "No Content", Some(302)));
        assert_eq!(temporary.detail, "HTTP 302 (temporary redirect)");
        let gone = url(t(), &answered(410, "Gone", None));
        assert_eq!(
            (gone.verdict, gone.detail.as_str()),
            (Verdict::Broken, "HTTP 410 Gone")
        );
        let lost = url(t(), &answered(404, "Not Found", Some(302)));
        assert_eq!(lost.detail, "HTTP 404 Not Found after a redirect");
        let odd = url(t(), &answered(599, "", None));
        assert_eq!(odd.detail, "HTTP 599");
        let refused = url(t(), &Probe::Failed("connection refused".into()));
        assert_eq!(
            (refused.verdict, refused.detail.as_str()),
            (Verdict::Broken, "connection refused")
        );
    }

    #[test]
    fn only_a_server_that_may_be_down_for_now_is_transient() {
        assert!(answered(500, "Internal Server Error", None).is_transient());
        assert!(answered(429, "Too Many Requests", None).is_transient());
        assert!(Probe::Unavailable("no answer within 2 s".into()).is_transient());
        assert!(!answered(404, "Not Found", None).is_transient());
        assert!(!answered(200, "OK", Some(301)).is_transient());
        assert!(!Probe::Failed("host not found".into()).is_transient());
        let down = url(
            LinkTarget::Url("https://a.example/".into()),
            &Probe::Unavailable("no answer within 2 s".into()),
        );
        assert_eq!(down.verdict, Verdict::Broken, "reported all the same");
    }
}
