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
}

impl From<mwapi::Error> for WikiError {
    fn from(e: mwapi::Error) -> Self {
        match e {
            mwapi::Error::ApiError(api) | mwapi::Error::InternalException(api) => WikiError::Api {
                code: api.code,
                text: api.text,
            },
            mwapi::Error::InvalidJson(e) => WikiError::Unexpected(e.to_string()),
            other => WikiError::Transport(other.to_string()),
        }
    }
}
