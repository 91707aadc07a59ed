//! The bot's state between runs. Written by a helper.
