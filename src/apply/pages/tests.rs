use std::path::PathBuf;
use std::sync::Mutex;

use super::*;

fn file(title: &str, text: &str) -> PageFile {
    PageFile {
        title: title.into(),
        text: text.into(),
        path: PathBuf::from(format!(
            "wikitext-templates/{}.wikitext",
            title.replace(' ', "_")
        )),
    }
}

fn revision(title: &str, text: Option<&str>, user: &str) -> PageRevision {
    PageRevision {
        title: title.into(),
        exists: text.is_some(),
        revid: text.map(|_| 10),
        timestamp: text.map(|_| "2026-11-25T10:00:00Z".into()),
        user: text.map(|_| user.into()),
        text: text.unwrap_or_default().into(),
        read_at: "2026-11-26T12:00:00Z".into(),
        language: None,
    }
}

/// Records saves; answers with a conflict for titles listed in `conflicts`.
#[derive(Default)]
struct Recorder {
    saved: Mutex<Vec<(String, String, Option<u64>)>>,
    refreshed: Mutex<Vec<String>>,
    conflicts: Vec<String>,
}

impl PageStore for Recorder {
    async fn read(&self, _: &[String]) -> Result<Vec<PageRevision>, WikiError> {
        unreachable!("apply never reads")
    }
    async fn save(&self, r: &SaveRequest<'_>) -> Result<SaveOutcome, WikiError> {
        if self.conflicts.contains(&r.base.title) {
            return Err(WikiError::Conflict {
                title: r.base.title.clone(),
                code: "editconflict".into(),
            });
        }
        self.saved
            .lock()
            .unwrap()
            .push((r.base.title.clone(), r.text.to_owned(), r.base.revid));
        Ok(SaveOutcome::Saved {
            revid: 99,
            timestamp: "2026-11-26T12:00:00Z".into(),
        })
    }
    async fn refresh_links(&self, titles: &[String]) -> Result<(), WikiError> {
        self.refreshed.lock().unwrap().extend_from_slice(titles);
        Ok(())
    }
}

#[test]
fn plan_creates_updates_and_keeps() {
    let plan = plan(
        vec![
            file("Template:A", "new"),
            file("Template:B", "same"),
            file("Template:C", "v2"),
        ],
        vec![
            revision("Template:A", None, ""),
            revision("Template:B", Some("same\n\n"), "Admin"),
            revision("Template:C", Some("v1"), "Partnerbot"),
        ],
        "Partnerbot",
    );
    let actions: Vec<_> = plan.iter().map(|p| p.action).collect();
    assert_eq!(actions, [Action::Create, Action::Keep, Action::Update]);
    assert!(
        plan.iter().all(|p| p.foreign_editor.is_none()),
        "B is kept, C is the bot's own"
    );
}

#[test]
fn update_over_a_human_revision_is_flagged() {
    let plan = plan(
        vec![file("Template:A", "ours")],
        vec![revision("Template:A", Some("theirs"), "Admin")],
        "Partnerbot",
    );
    assert_eq!(plan[0].foreign_editor.as_deref(), Some("Admin"));
}

#[tokio::test]
async fn apply_saves_only_changes_and_protects_human_edits() {
    let plan = plan(
        vec![
            file("Template:A", "new"),
            file("Template:B", "same"),
            file("Template:C", "v2"),
            file("Template:D", "ours"),
        ],
        vec![
            revision("Template:A", None, ""),
            revision("Template:B", Some("same"), "Partnerbot"),
            revision("Template:C", Some("v1"), "Partnerbot"),
            revision("Template:D", Some("theirs"), "Admin"),
        ],
        "Partnerbot",
    );
    let store = Recorder::default();
    let outcomes = apply(&store, &plan, ApplyOptions::default()).await;
    assert_eq!(outcomes[0], Outcome::Created { revid: 99 });
    assert_eq!(outcomes[1], Outcome::Unchanged);
    assert_eq!(outcomes[2], Outcome::Updated { revid: 99 });
    assert!(matches!(&outcomes[3], Outcome::Skipped { reason } if reason.contains("Admin")));
    let saved = store.saved.lock().unwrap().clone();
    assert_eq!(
        saved,
        [
            ("Template:A".to_string(), "new".to_string(), None),
            ("Template:C".to_string(), "v2".to_string(), Some(10)),
        ],
        "the base revision travels with the save"
    );

    let forced = Recorder::default();
    let outcomes = apply(
        &forced,
        &plan,
        ApplyOptions {
            force: true,
            dry_run: false,
        },
    )
    .await;
    assert_eq!(outcomes[3], Outcome::Updated { revid: 99 });
}

#[tokio::test]
async fn dry_run_saves_nothing_and_conflicts_are_skipped() {
    let plan = plan(
        vec![file("Template:A", "new")],
        vec![revision("Template:A", Some("old"), "Partnerbot")],
        "Partnerbot",
    );
    let store = Recorder::default();
    let outcomes = apply(
        &store,
        &plan,
        ApplyOptions {
            dry_run: true,
            force: false,
        },
    )
    .await;
    assert_eq!(outcomes, [Outcome::WouldSave]);
    assert!(store.saved.lock().unwrap().is_empty());

    let conflicted = Recorder {
        conflicts: vec!["Template:A".into()],
        ..Default::default()
    };
    let outcomes = apply(&conflicted, &plan, ApplyOptions::default()).await;
    assert!(matches!(&outcomes[0], Outcome::Skipped { reason } if reason.contains("editconflict")));
}

#[test]
fn diff_shows_both_sides() {
    let plan = plan(
        vec![file("Template:A", "line one\nline two")],
        vec![revision(
            "Template:A",
            Some("line one\nold two"),
            "Partnerbot",
        )],
        "Partnerbot",
    );
    let d = diff(&plan[0]);
    assert!(d.contains("-old two"), "{d}");
    assert!(d.contains("+line two"), "{d}");
    assert!(d.contains("revision 10"), "{d}");
}

#[tokio::test]
async fn a_saved_doc_page_refreshes_its_template() {
    let plan = plan(
        vec![
            file("Template:A", "same"),
            file("Template:A/doc", "new doc"),
            file("Template:B/doc", "same"),
        ],
        vec![
            revision("Template:A", Some("same"), "Partnerbot"),
            revision("Template:A/doc", Some("old doc"), "Partnerbot"),
            revision("Template:B/doc", Some("same"), "Partnerbot"),
        ],
        "Partnerbot",
    );
    let store = Recorder::default();
    apply(&store, &plan, ApplyOptions::default()).await;
    assert_eq!(*store.refreshed.lock().unwrap(), ["Template:A"]);

    let unchanged = Recorder::default();
    let kept = super::plan(
        vec![file("Template:A/doc", "same")],
        vec![revision("Template:A/doc", Some("same"), "Partnerbot")],
        "Partnerbot",
    );
    apply(&unchanged, &kept, ApplyOptions::default()).await;
    assert!(
        unchanged.refreshed.lock().unwrap().is_empty(),
        "no save, no refresh"
    );
}
