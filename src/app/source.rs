//! The configured change source, with its cursor kept in the state file.

use std::time::Duration;

use crate::config::{Settings, Source as Kind};
use crate::state::State;
use crate::watch::eventstreams::EventStream;
use crate::watch::recentchanges::Poller;
use crate::watch::{Batch, WatchError};
use crate::wiki::{Connection, user_agent};

pub enum Source {
    Poll { poller: Poller, interval: Duration },
    Stream(Box<EventStream>),
}

impl Source {
    pub fn new(settings: &Settings, state: &State, account: &str) -> Result<Self, super::AppError> {
        Ok(match settings.watch.source {
            Kind::RecentChanges => Source::Poll {
                poller: Poller::new(
                    state.cursor(Self::name_of(Kind::RecentChanges))?.as_deref(),
                    account,
                ),
                interval: settings.watch.poll_interval,
            },
            Kind::EventStreams => {
                let host = url::Url::parse(&settings.wiki.url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default();
                let cursor = state.cursor(Self::name_of(Kind::EventStreams))?;
                Source::Stream(Box::new(
                    EventStream::new(
                        &settings.watch.eventstreams_url,
                        &host,
                        &user_agent(&settings.bot.user_agent_contact),
                        cursor,
                    )?
                    .with_ignored_user(account),
                ))
            }
        })
    }

    fn name_of(kind: Kind) -> &'static str {
        match kind {
            Kind::RecentChanges => "recentchanges",
            Kind::EventStreams => "eventstreams",
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Source::Poll { .. } => Self::name_of(Kind::RecentChanges),
            Source::Stream(_) => Self::name_of(Kind::EventStreams),
        }
    }

    /// Changes within about `wait` (polling sleeps up to its interval first), with the cursor
    /// already saved: a crash after this loses nothing the start-up full pass does not repair.
    pub async fn next(
        &mut self,
        connection: &Connection,
        state: &State,
        wait: Duration,
    ) -> Result<Batch, WatchError> {
        let batch = match self {
            Source::Poll { poller, interval } => {
                tokio::time::sleep(wait.min(*interval)).await;
                poller.poll(connection).await?
            }
            Source::Stream(stream) => stream.next_batch(wait).await?,
        };
        if let Some(cursor) = &batch.cursor {
            state
                .set_cursor(self.name(), cursor)
                .map_err(|e| WatchError::Source(e.to_string()))?;
        }
        Ok(batch)
    }
}
