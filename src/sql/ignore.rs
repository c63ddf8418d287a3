//! Inline ignores in SQL: `-- zerodown-ignore: rule-a, rule-b` on the finding's line, the
//! statement's first line, or the line above either; `-- zerodown-ignore-file: rule` for the
//! whole file. squawk's `-- squawk-ignore rule` and `-- squawk-ignore-file [rule]` are read
//! too, with squawk's rule names mapped to ours, so a team moving from squawk keeps its
//! reviewed exceptions.

use crate::config::Config;
use crate::lint::Diagnostic;
use crate::severity::Severity;
use crate::source::{SourceFile, Span};

const ZERODOWN: &str = "zerodown-ignore:";
const ZERODOWN_FILE: &str = "zerodown-ignore-file:";
const SQUAWK: &str = "squawk-ignore";
const SQUAWK_FILE: &str = "squawk-ignore-file";

/// squawk's rule names and the zerodown rules that find the same hazard.
pub const SQUAWK_NAMES: &[(&str, &[&str])] = &[
    ("renaming-column", &["rename-column"]),
    ("renaming-table", &["rename-table"]),
    ("ban-set-schema", &["rename-table"]),
    ("ban-drop-column", &["drop-column"]),
    ("ban-drop-table", &["drop-table"]),
    ("changing-column-type", &["change-column-type"]),
    ("adding-required-field", &["add-required-column"]),
    ("adding-not-nullable-field", &["set-not-null"]),
    (
        "require-concurrent-index-creation",
        &["index-not-concurrent"],
    ),
    (
        "require-concurrent-index-deletion",
        &["drop-index-not-concurrent"],
    ),
    (
        "ban-concurrent-index-creation-in-transaction",
        &["concurrent-in-transaction"],
    ),
    (
        "constraint-missing-not-valid",
        &["constraint-not-valid-missing"],
    ),
    (
        "adding-foreign-key-constraint",
        &["constraint-not-valid-missing"],
    ),
    ("disallowed-unique-constraint", &["unique-constraint-locks"]),
    (
        "adding-serial-primary-key-field",
        &["unique-constraint-locks", "volatile-default"],
    ),
    ("adding-field-with-default", &["volatile-default"]),
    ("require-timeout-settings", &["lock-timeout-missing"]),
    ("require-lock-timeout", &["lock-timeout-missing"]),
];

/// The comment part of a SQL line: from `--` outside a string literal or quoted name.
fn comment(line: &str) -> Option<(usize, &str)> {
    let mut quote: Option<char> = None;
    let bytes = line.as_bytes();
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '-' && bytes.get(i + 1) == Some(&b'-') => {
                return Some((i + 2, &line[i + 2..]));
            }
            None => {}
        }
    }
    None
}

/// One ignore comment: which rules it names (with their byte offsets in the line), and
/// whether it covers the whole file.
struct Ignore<'a> {
    ids: Vec<(&'a str, usize)>,
    whole_file: bool,
    squawk: bool,
}

fn parse_line(line: &str) -> Option<Ignore<'_>> {
    let (start, text) = comment(line)?;
    let trimmed = text.trim_start();
    let lead = start + (text.len() - trimmed.len());
    let (marker, whole_file, squawk) = [
        (ZERODOWN_FILE, true, false),
        (ZERODOWN, false, false),
        (SQUAWK_FILE, true, true),
        (SQUAWK, false, true),
    ]
    .into_iter()
    .find(|(marker, _, _)| {
        trimmed.starts_with(marker)
            && (marker.ends_with(':')
                || trimmed[marker.len()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace))
    })?;
    let list_start = lead + marker.len();
    let ids = crate::suppress::parse_ids(&line[list_start..])
        .into_iter()
        .take_while(|(id, _)| looks_like_rule_id(id))
        .map(|(id, at)| (id, list_start + at))
        .collect();
    Some(Ignore {
        ids,
        whole_file,
        squawk,
    })
}

fn looks_like_rule_id(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn covers(ignore: &Ignore<'_>, rule: &str) -> bool {
    if ignore.squawk && ignore.whole_file && ignore.ids.is_empty() {
        return true;
    }
    ignore.ids.iter().any(|(id, _)| {
        *id == rule
            || (ignore.squawk
                && SQUAWK_NAMES
                    .iter()
                    .any(|(name, ours)| name == id && ours.contains(&rule)))
    })
}

/// True when an ignore comment covers a finding of `rule` at `span` in `statement`.
pub fn is_ignored(source: &SourceFile, rule: &str, span: Span, statement: Span) -> bool {
    let finding_line = source.position(span.start as usize).line;
    let statement_line = source.position(statement.start as usize).line;
    let nearby = [
        finding_line,
        finding_line.saturating_sub(1),
        statement_line,
        statement_line.saturating_sub(1),
    ];
    let near = nearby
        .into_iter()
        .filter(|&l| l >= 1)
        .filter_map(|l| source.line_text(l))
        .filter_map(parse_line)
        .any(|ignore| !ignore.whole_file && covers(&ignore, rule));
    near || file_ignores(source).any(|ignore| covers(&ignore, rule))
}

fn file_ignores(source: &SourceFile) -> impl Iterator<Item = Ignore<'_>> {
    source
        .text
        .lines()
        .filter(|l| l.contains("ignore-file"))
        .filter_map(parse_line)
        .filter(|i| i.whole_file)
}

/// A `zerodown-ignore` naming a rule that does not exist is a warning (a typo would
/// otherwise silence nothing without a word). squawk's own names are left alone.
pub fn unknown_ids(source: &SourceFile, file: usize, config: &Config) -> Vec<Diagnostic> {
    let known = crate::rules::all_ids();
    let mut diagnostics = Vec::new();
    if config.level("ignore-unknown-rule", Severity::Warning) == crate::severity::Level::Off {
        return diagnostics;
    }
    let mut offset = 0;
    for line in source.text.split_inclusive('\n') {
        if line.contains("zerodown-ignore")
            && let Some(ignore) =
                parse_line(line.trim_end_matches(['\n', '\r'])).filter(|i| !i.squawk)
        {
            for (id, at) in ignore.ids {
                if known.contains(&id) {
                    continue;
                }
                let span = Span::new(offset + at, offset + at + id.len());
                diagnostics.push(Diagnostic {
                    rule: "ignore-unknown-rule",
                    severity: Severity::Warning,
                    message: format!(
                        "`{id}` is not a zerodown rule{}: this ignore silences nothing",
                        crate::suggest::did_you_mean(id, known.iter().copied())
                    ),
                    help: "use an id from `zerodown rules`".into(),
                    file,
                    span,
                    start: source.position(span.start as usize),
                    end: source.position(span.end as usize),
                    object: None,
                    pointer: None,
                    source: None,
                });
            }
        }
        offset += line.len();
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("m.sql", text.to_string())
    }

    #[test]
    fn zerodown_and_squawk_comments() {
        let text = "-- zerodown-ignore: drop-column -- reviewed\nalter table t drop column a;\n";
        let source = file(text);
        let statement = Span::new(44, text.len() - 1);
        assert!(is_ignored(&source, "drop-column", statement, statement));
        assert!(!is_ignored(&source, "rename-column", statement, statement));

        let text =
            "-- squawk-ignore ban-drop-column, renaming-column\nalter table t drop column a;\n";
        let source = file(text);
        let statement = Span::new(51, text.len() - 1);
        assert!(is_ignored(&source, "drop-column", statement, statement));

        let source = file("select 1;\n-- squawk-ignore-file\nalter table t drop column a;\n");
        assert!(is_ignored(
            &source,
            "drop-column",
            Span::new(40, 41),
            Span::new(40, 41)
        ));
    }

    #[test]
    fn a_comment_inside_a_string_is_not_an_ignore() {
        assert!(parse_line("select '-- zerodown-ignore: drop-column';").is_none());
    }

    #[test]
    fn the_statement_line_counts_for_a_clause_further_down() {
        let text = "-- zerodown-ignore: drop-column\nalter table t\n  drop column a;\n";
        let source = file(text);
        let clause = Span::new(48, 61);
        assert!(is_ignored(
            &source,
            "drop-column",
            clause,
            Span::new(32, 62)
        ));
    }
}
