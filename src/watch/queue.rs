//! The work queue between the change sources and the reconciles: deduplicated (one entry per
//! piece of work however many events name it) and debounced (a page is reconciled once its
//! edits pause, or at the latest after `max_delay`). Pure: the caller passes the time in.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What to do. The order is the order of a cycle: the shut-off page and the on-wiki config
/// first (they decide whether and how the rest runs), then pages, then the index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Work {
    Shutoff,
    Config,
    /// Every proposal and the whole index (start-up, the periodic pass, a template change).
    FullPass,
    /// Reconcile a proposal (or a page that may have become one), then its index rows.
    Proposal(String),
    /// Recompute the index rows of a page that is not a proposal (a learning pattern, a case
    /// study, the sign-up page).
    IndexRow(String),
    /// Rebuild the index (one of its pages was edited by someone else).
    IndexRebuild,
}

#[derive(Debug)]
struct Entry {
    first: Instant,
    due: Instant,
}

#[derive(Debug)]
pub struct WorkQueue {
    pending: BTreeMap<Work, Entry>,
    debounce: Duration,
    max_delay: Duration,
}

impl WorkQueue {
    /// `debounce`: quiet time after the last event; an entry never waits more than
    /// `max_delay` after its first event, however busy the page.
    pub fn new(debounce: Duration, max_delay: Duration) -> Self {
        WorkQueue {
            pending: BTreeMap::new(),
            debounce,
            max_delay: max_delay.max(debounce),
        }
    }

    pub fn push(&mut self, work: Work, now: Instant) {
        let debounce = self.debounce;
        let max_delay = self.max_delay;
        self.pending
            .entry(work)
            .and_modify(|e| e.due = (now + debounce).min(e.first + max_delay))
            .or_insert(Entry {
                first: now,
                due: now + debounce,
            });
    }

    /// Work whose time has come, in cycle order, removed from the queue.
    pub fn take_due(&mut self, now: Instant) -> Vec<Work> {
        let due: Vec<Work> = self
            .pending
            .iter()
            .filter(|(_, e)| e.due <= now)
            .map(|(w, _)| w.clone())
            .collect();
        for w in &due {
            self.pending.remove(w);
        }
        due
    }

    /// When the next entry falls due (None: the queue is empty).
    pub fn next_due(&self) -> Option<Instant> {
        self.pending.values().map(|e| e.due).min()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn repeated_events_make_one_entry_due_after_a_pause() {
        let t0 = Instant::now();
        let mut q = WorkQueue::new(secs(2), secs(10));
        let page = Work::Proposal("P".into());
        q.push(page.clone(), t0);
        q.push(page.clone(), t0 + secs(1));
        assert_eq!(q.len(), 1);
        assert!(
            q.take_due(t0 + secs(2)).is_empty(),
            "the second edit reset the pause"
        );
        assert_eq!(q.next_due(), Some(t0 + secs(3)));
        assert_eq!(q.take_due(t0 + secs(3)), [page]);
        assert!(q.is_empty());
    }

    #[test]
    fn a_busy_page_waits_at_most_max_delay() {
        let t0 = Instant::now();
        let mut q = WorkQueue::new(secs(2), secs(5));
        for s in 0..20 {
            q.push(Work::IndexRow("LP".into()), t0 + secs(s));
            if s == 5 {
                assert_eq!(q.take_due(t0 + secs(5)).len(), 1);
            }
        }
    }

    #[test]
    fn due_work_comes_in_cycle_order() {
        let t0 = Instant::now();
        let mut q = WorkQueue::new(secs(0), secs(0));
        q.push(Work::IndexRebuild, t0);
        q.push(Work::Proposal("B".into()), t0);
        q.push(Work::Proposal("A".into()), t0);
        q.push(Work::Shutoff, t0);
        assert_eq!(
            q.take_due(t0),
            [
                Work::Shutoff,
                Work::Proposal("A".into()),
                Work::Proposal("B".into()),
                Work::IndexRebuild
            ]
        );
    }
}
