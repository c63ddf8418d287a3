//! `zerodown rules` and `zerodown explain ID`: the rule list and one rule's doc.

use std::io::Write;

use crate::exit;
use crate::rules;

pub fn list_rules() -> u8 {
    let mut out = std::io::stdout().lock();
    let width = rules::all_meta().map(|m| m.id.len()).max().unwrap_or(0);
    for meta in rules::all_meta() {
        let _ = writeln!(
            out,
            "{:width$}  {:7}  {}",
            meta.id,
            meta.severity.as_str(),
            meta.summary
        );
    }
    exit::CLEAN
}

pub fn explain(id: &str) -> u8 {
    match rules::find_meta(id) {
        Some(meta) => {
            print!("{}", meta.doc);
            exit::CLEAN
        }
        None => {
            eprintln!(
                "error: no rule `{id}`{}; `zerodown rules` lists them",
                crate::suggest::did_you_mean(id, rules::all_ids())
            );
            exit::INPUT_ERROR
        }
    }
}
