//! Parser for the `pylock` lockfile format (not written yet).

use super::{Context, Lockfile, ParseError};

/// Parse the text of one lockfile of this format.
pub fn parse(ctx: &Context<'_>, _text: &str) -> Result<Lockfile, ParseError> {
    Err(ctx.error(None, "this lockfile format is not supported yet"))
}
