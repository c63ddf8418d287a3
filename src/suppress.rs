//! Inline ignores: the object annotation `zerodown.dev/ignore: "rule-a,rule-b"` and the
//! comment `# zerodown-ignore: rule-a` on the finding's line or the line above.

use crate::source::SourceFile;

pub const ANNOTATION: &str = "zerodown.dev/ignore";
const COMMENT_MARKER: &str = "zerodown-ignore:";

/// Rule ids of a comma- or space-separated list, with their byte offsets in `list`.
pub fn parse_ids(list: &str) -> Vec<(&str, usize)> {
    let mut ids = Vec::new();
    let mut offset = 0;
    for piece in list.split([',', ' ', '\t']) {
        if !piece.is_empty() {
            ids.push((piece, offset));
        }
        offset += piece.len() + 1;
    }
    ids
}

/// The ids of a `# zerodown-ignore:` comment on this line, with their byte offsets in the line.
pub fn comment_ids(line: &str) -> Vec<(&str, usize)> {
    let Some(hash) = comment_start(line) else {
        return Vec::new();
    };
    let comment = &line[hash + 1..];
    let Some(marker) = comment.find(COMMENT_MARKER) else {
        return Vec::new();
    };
    if !comment[..marker].trim().is_empty() {
        return Vec::new();
    }
    let list_start = hash + 1 + marker + COMMENT_MARKER.len();
    parse_ids(&line[list_start..])
        .into_iter()
        // Stop at a trailing explanation: `# zerodown-ignore: rule-a -- because …`.
        .take_while(|(id, _)| looks_like_rule_id(id))
        .map(|(id, at)| (id, list_start + at))
        .collect()
}

fn looks_like_rule_id(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Where a YAML comment starts: a `#` at the start of the line or after white space, outside
/// quotes.
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '#' && (previous == ' ' || previous == '\t') => return Some(i),
            None if (c == '"' || c == '\'')
                && matches!(previous, ' ' | ':' | '-' | '[' | '{' | ',') =>
            {
                quote = Some(c)
            }
            None => {}
        }
        previous = c;
    }
    None
}

/// Whether `text` holds a `# zerodown-ignore:` comment anywhere: one vectorised scan per
/// file, so a file without one (nearly all) never has its lines read for comments.
pub fn mentions_comment_marker(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), COMMENT_MARKER.as_bytes()).is_some()
}

/// True when a comment on `line` or the line above ignores `rule`.
pub fn ignored_by_comment(source: &SourceFile, line: usize, rule: &str) -> bool {
    [line, line.saturating_sub(1)]
        .into_iter()
        .filter(|&l| l >= 1)
        .filter_map(|l| source.line_text(l))
        .any(|text| comment_ids(text).iter().any(|(id, _)| *id == rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_from_comments_only() {
        let ids: Vec<&str> = comment_ids("  image: nginx  # zerodown-ignore: a-b, c")
            .iter()
            .map(|(id, _)| *id)
            .collect();
        assert_eq!(ids, ["a-b", "c"]);
        assert!(comment_ids("value: \"# zerodown-ignore: a\"").is_empty());
        assert!(comment_ids("# not zerodown-ignore: a").is_empty());
        let line = "# zerodown-ignore: x -- reason";
        let ids = comment_ids(line);
        assert_eq!(ids.len(), 1);
        assert_eq!(&line[ids[0].1..ids[0].1 + 1], "x");
    }
}
