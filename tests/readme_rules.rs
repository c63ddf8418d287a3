//! The README's rule tables are generated from the registry: each sits between
//! `<!-- rules:GROUP -->` and `<!-- /rules:GROUP -->` and must equal what the registry
//! gives. `ZERODOWN_UPDATE_README=1 cargo test --test readme_rules` rewrites them.

mod common;

use common::repo;

#[test]
fn the_readme_rule_tables_match_the_registry() {
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let mut updated = readme.clone();
    let mut drifted = Vec::new();
    for (group, rules) in zerodown::rules::groups() {
        let begin = format!("<!-- rules:{group} -->\n");
        let end = format!("<!-- /rules:{group} -->");
        let start = updated
            .find(&begin)
            .unwrap_or_else(|| panic!("README.md has no `{}`", begin.trim()))
            + begin.len();
        let stop = start
            + updated[start..]
                .find(&end)
                .unwrap_or_else(|| panic!("README.md has no `{end}`"));
        let table = zerodown::rules::markdown_table(&rules);
        if updated[start..stop] != table {
            drifted.push(group);
            updated.replace_range(start..stop, &table);
        }
    }
    let every: usize = zerodown::rules::groups().iter().map(|(_, r)| r.len()).sum();
    assert_eq!(
        every,
        zerodown::rules::all_ids().len(),
        "every rule is in a table"
    );
    if drifted.is_empty() {
        return;
    }
    if std::env::var_os("ZERODOWN_UPDATE_README").is_some() {
        let temp = path.with_extension("md.tmp");
        std::fs::write(&temp, &updated).unwrap();
        std::fs::rename(&temp, &path).unwrap();
        return;
    }
    panic!(
        "the README's rule tables {drifted:?} differ from the registry; \
         run `ZERODOWN_UPDATE_README=1 cargo test --test readme_rules`"
    );
}
