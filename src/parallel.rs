//! The one place that decides whether work runs on several threads. Reading, parsing,
//! typing objects and running rules are independent per item; rayon's pool spreads them
//! over the cores and keeps results in input order. Small inputs (a pre-commit hook's one
//! file) stay on the calling thread: starting the pool would cost more than the work.

use rayon::prelude::*;

/// Below this much input, everything runs on the calling thread.
pub const PARALLEL_BYTES: usize = 256 * 1024;

/// `f` over every item, results in item order; on the pool when `parallel`.
pub fn map<T, R, F>(items: Vec<T>, parallel: bool, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync + Send,
{
    if parallel && items.len() > 1 {
        items.into_par_iter().map(f).collect()
    } else {
        items.into_iter().map(f).collect()
    }
}

/// Like `map`, over borrowed items.
pub fn map_ref<'a, T, R, F>(items: &'a [T], parallel: bool, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&'a T) -> R + Sync + Send,
{
    if parallel && items.len() > 1 {
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_item_order_either_way() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled: Vec<u32> = items.iter().map(|i| i * 2).collect();
        assert_eq!(super::map(items.clone(), true, |i| i * 2), doubled);
        assert_eq!(super::map(items.clone(), false, |i| i * 2), doubled);
        assert_eq!(super::map_ref(&items, true, |i| i * 2), doubled);
    }
}
