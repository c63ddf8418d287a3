//! `zerodown rules` and `zerodown explain ID`: the rule list and one rule's doc.

use std::io::Write;

use crate::exit;
use crate::rules::{self, RULES};

pub fn list_rules() -> u8 {
    let mut out = std::io::stdout().lock();
    let width = RULES.iter().map(|r| r.meta().id.len()).max().unwrap_or(0);
    for rule in RULES.iter() {
        let meta = rule.meta();
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
    match rules::find(id) {
        Some(rule) => {
            print!("{}", rule.meta().doc);
            exit::CLEAN
        }
        None => {
            eprintln!(
                "error: no rule `{id}`{}; `zerodown rules` lists them",
                crate::suggest::did_you_mean(id, rules::ids())
            );
            exit::INPUT_ERROR
        }
    }
}
