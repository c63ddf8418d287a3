//! "Did you mean …?" for misspelt keys and rule ids.

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let chars = word.chars().count();
    candidates
        .into_iter()
        // The distance is at least the difference in length: a candidate too much longer or
        // shorter is out of reach without computing it (names are compared with thousands
        // of others in a large namespace).
        .filter(|candidate| {
            let other = candidate.chars().count();
            chars.abs_diff(other) <= (candidate.len().max(word.len()) / 3).max(1)
        })
        .map(|candidate| {
            // Case-only differences (`readinessprobe`) are the most likely typo of all.
            let distance = if candidate.to_ascii_lowercase() == lower {
                0
            } else {
                strsim::damerau_levenshtein(&lower, &candidate.to_ascii_lowercase())
            };
            (distance, candidate)
        })
        .filter(|&(distance, candidate)| distance <= (candidate.len().max(word.len()) / 3).max(1))
        .min_by_key(|&(distance, candidate)| (distance, candidate))
        .map(|(_, candidate)| candidate)
}

/// Whether one name is the other plus a `-suffix` (`web-canary`, `reviews-v1`).
fn is_variant(a: &str, b: &str) -> bool {
    let extends = |long: &str, short: &str| {
        long.strip_prefix(short)
            .is_some_and(|rest| rest.starts_with('-'))
    };
    extends(a, b) || extends(b, a)
}

/// Like `closest`, for references to objects by name: `reviews-v1` is a variant of
/// `reviews`, not a typo of it, and pointing a versioned reference at its parent would
/// silently undo the versioning, so a name that is the other plus a `-suffix` (or the other
/// way round) is never suggested.
pub fn closest_name<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    closest(
        word,
        candidates
            .into_iter()
            .filter(|candidate| !is_variant(&lower, &candidate.to_ascii_lowercase())),
    )
}

/// `" (did you mean `x`?)"` for an object name, or nothing.
pub fn did_you_mean_name<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest_name(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// `" (did you mean `x`?)"`, or nothing.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["readinessProbe", "livenessProbe", "image", "ports"];
        assert_eq!(closest("readinessprobe", fields), Some("readinessProbe"));
        assert_eq!(closest("readinesProbe", fields), Some("readinessProbe"));
        assert_eq!(closest("imgae", fields), Some("image"));
        assert_eq!(closest("sidecar", fields), None);
        assert_eq!(
            closest("mutable-image", ["mutable-image-tag"]),
            Some("mutable-image-tag")
        );
        assert_eq!(closest_name("reviews-v1", ["reviews", "ratings"]), None);
        assert_eq!(
            closest_name("detail", ["details", "reviews"]),
            Some("details")
        );
    }
}
