//! "Did you mean …?" for misspelt keys and rule ids.

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
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
    }
}
