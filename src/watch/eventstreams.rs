//! Wikimedia EventStreams (`recentchange`, Server-Sent Events). Written by a helper.
