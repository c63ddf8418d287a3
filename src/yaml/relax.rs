//! go-yaml (and so kubectl) accepts a multi-line quoted scalar whose continuation lines are
//! not indented past their key, as generated CRDs often contain:
//!
//! ```yaml
//!   description: "first line
//! second line"
//! ```
//!
//! saphyr rejects it. Inside a quoted scalar, leading white space of a continuation line is
//! folded away, so indenting those lines does not change the value: this module makes such a
//! copy, byte for byte the same length where it matters, for a second parse.

use super::split::Chunk;

/// A re-indented copy of one chunk, and how to map its offsets back to the original.
pub struct Relaxed {
    pub text: String,
    /// `(offset in the copy, bytes inserted up to there)`, ascending: an offset `o` of the
    /// copy is `o - inserted` in the original, for the last entry at or before `o`.
    pub shifts: Vec<(usize, usize)>,
}

/// Returns a copy of `chunk` in which continuation lines of multi-line quoted scalars are
/// indented past their key; `None` when there is nothing to change.
pub fn reindent_quoted_continuations(text: &str, chunk: Chunk) -> Option<Relaxed> {
    let body = &text[chunk.start..chunk.end];
    let mut out = String::with_capacity(body.len() + 64);
    let mut shifts = Vec::new();
    let mut inserted = 0;
    let mut open_quote: Option<char> = None;
    let mut indent_needed = 0;
    for line in body.split_inclusive('\n') {
        let current = line.len() - line.trim_start_matches(' ').len();
        if open_quote.is_none() {
            indent_needed = current + 1;
        } else if current < indent_needed && !line.trim().is_empty() {
            // Leading white space of a continuation line is folded away, so the value is
            // unchanged.
            let extra = indent_needed - current;
            // Never more than the input again: a hostile file (a huge indent over many
            // lines) would otherwise make the copy quadratic. Past that, keep the error.
            if inserted + extra > body.len() {
                return None;
            }
            out.push_str(&" ".repeat(extra));
            inserted += extra;
            shifts.push((out.len(), inserted));
        }
        open_quote = scan_quotes(line, open_quote);
        out.push_str(line);
    }
    (!shifts.is_empty()).then_some(Relaxed { text: out, shifts })
}

impl Relaxed {
    pub fn original_offset(&self, offset: usize) -> usize {
        let index = self.shifts.partition_point(|&(at, _)| at <= offset);
        match index {
            0 => offset,
            i => offset - self.shifts[i - 1].1,
        }
    }
}

/// Tracks whether a quoted scalar is still open at the end of `line`.
fn scan_quotes(line: &str, mut open: Option<char>) -> Option<char> {
    let mut chars = line.char_indices().peekable();
    let mut previous = ' ';
    while let Some((_, c)) = chars.next() {
        match open {
            Some('"') => match c {
                '\\' => {
                    chars.next();
                }
                '"' => open = None,
                _ => {}
            },
            Some(_) => {
                if c == '\'' {
                    if chars.peek().map(|&(_, n)| n) == Some('\'') {
                        chars.next();
                    } else {
                        open = None;
                    }
                }
            }
            None => match c {
                '#' if previous == ' ' || previous == '\t' => break,
                '"' | '\'' if matches!(previous, ' ' | '\t' | ':' | '-' | '[' | '{' | ',') => {
                    open = Some(c)
                }
                _ => {}
            },
        }
        previous = c;
    }
    open
}
