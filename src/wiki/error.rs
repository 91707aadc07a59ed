//! Errors of the wiki edge, typed so callers can decide: retry, re-read, or give up.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum WikiError {
    #[error("could not connect to {url} or log in: {message}")]
    Connect { url: String, message: String },
    #[error("{what} took longer than {after:?}; giving up on this request")]
    Timeout { what: String, after: Duration },
    /// The page changed (or was created or deleted) since we read it: re-read, recompute.
    #[error("[[{title}]] changed since it was read ({code}); not saved")]
    Conflict { title: String, code: String },
    #[error("the wiki refused the request ({code}): {text}")]
    Api { code: String, text: String },
    #[error("request failed: {0}")]
    Transport(String),
    #[error("unexpected answer from the wiki: {0}")]
    Unexpected(String),
    /// The bot is shutting down: the save was not started.
    #[error("not saved: the bot is stopping")]
    Stopping,
    /// The page is outside the bot's edit allow-list (`bot.edit_namespaces`, `..._prefixes`).
    #[error(
        "[[{0}]] is outside the pages the bot may edit (bot.edit_namespaces, bot.edit_title_prefixes); not saved"
    )]
    NotAllowed(String),
}

impl WikiError {
    /// Worth retrying as is: the network, a timeout, a server error page.
    pub fn is_transient(&self) -> bool {
        match self {
            WikiError::Timeout { .. } | WikiError::Transport(_) => true,
            WikiError::Api { code, .. } => code.starts_with("internal_api_error"),
            _ => false,
        }
    }
}

impl From<mwapi::Error> for WikiError {
    fn from(e: mwapi::Error) -> Self {
        match e {
            mwapi::Error::ApiError(api) | mwapi::Error::InternalException(api) => WikiError::Api {
                code: api.code,
                text: api.text,
            },
            // A body that is not JSON is nearly always a proxy's or server's error page.
            mwapi::Error::InvalidJson(e) => {
                WikiError::Transport(format!("the answer was not JSON (a server error?): {e}"))
            }
            other => WikiError::Transport(other.to_string()),
        }
    }
}
