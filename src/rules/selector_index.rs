//! Finds which selectors can match a set of labels without trying every selector.
//!
//! A selector matches only labels that carry every one of its `key: value` pairs, so filing
//! it under any one pair loses nothing. Filing it under its least common pair keeps the
//! buckets small even when every selector shares a pair (`app: web` on every object of a
//! generated namespace).

use std::collections::HashMap;

pub struct SelectorIndex<T> {
    /// key → value → positions in `items`, ascending (nested so lookups take `&str`s).
    by_pair: HashMap<String, HashMap<String, Vec<usize>>>,
    /// Items with no pair to file under (expression-only or empty selectors): candidates
    /// for any labels.
    unpaired: Vec<usize>,
    items: Vec<T>,
}

impl<T> SelectorIndex<T> {
    /// `pairs_of(item)`: the `key: value` pairs the item's selector requires.
    pub fn new(items: Vec<T>, pairs_of: impl Fn(&T) -> Vec<(String, String)>) -> Self {
        let pairs: Vec<Vec<(String, String)>> = items.iter().map(pairs_of).collect();
        let mut frequency: HashMap<&(String, String), usize> = HashMap::new();
        for pair in pairs.iter().flatten() {
            *frequency.entry(pair).or_default() += 1;
        }
        let mut by_pair: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::new();
        let mut unpaired = Vec::new();
        for (position, item_pairs) in pairs.iter().enumerate() {
            match item_pairs
                .iter()
                .min_by_key(|pair| (frequency[pair], *pair))
            {
                Some((key, value)) => by_pair
                    .entry(key.clone())
                    .or_default()
                    .entry(value.clone())
                    .or_default()
                    .push(position),
                None => unpaired.push(position),
            }
        }
        SelectorIndex {
            by_pair,
            unpaired,
            items,
        }
    }

    /// The items whose selector may match `labels`, in the order they were given; the caller
    /// still matches each selector in full.
    pub fn candidates<'a, 'l>(
        &'a self,
        labels: impl Iterator<Item = (&'l str, &'l str)>,
    ) -> impl Iterator<Item = &'a T> + 'a {
        let mut positions: Vec<usize> = self.unpaired.clone();
        for (key, value) in labels {
            if let Some(found) = self.by_pair.get(key).and_then(|values| values.get(value)) {
                positions.extend_from_slice(found);
            }
        }
        positions.sort_unstable();
        positions.dedup();
        positions.into_iter().map(|p| &self.items[p])
    }
}

/// The pairs of a `key: value` map, owned, for `SelectorIndex::new`.
pub fn owned_pairs<'m>(
    map: impl IntoIterator<Item = (&'m String, &'m String)>,
) -> Vec<(String, String)> {
    map.into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_every_selector_that_can_match_in_order() {
        let selectors: Vec<Vec<(&str, &str)>> = vec![
            vec![("app", "web"), ("instance", "a")],
            vec![("app", "web"), ("instance", "b")],
            vec![],
            vec![("app", "api")],
        ];
        let index = SelectorIndex::new(selectors, |s| {
            s.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        });
        let found: Vec<&Vec<(&str, &str)>> = index
            .candidates([("app", "web"), ("instance", "b")].into_iter())
            .collect();
        // The shared `app: web` is not where the first two are filed: only `b` and the
        // unpaired selector are candidates.
        assert_eq!(
            found,
            vec![&vec![("app", "web"), ("instance", "b")], &vec![]]
        );
        let found: Vec<_> = index.candidates([("app", "api")].into_iter()).collect();
        assert_eq!(found, vec![&vec![], &vec![("app", "api")]]);
    }
}
