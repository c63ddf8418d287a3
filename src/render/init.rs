//! `zerodown init`: a commented app spec to start from, rendered from the
//! `zerodown.yaml.j2` template and checked by the same parser `render` uses.

use std::path::PathBuf;

use minijinja::context;

use super::spec::{self, STRATEGIES, TRAFFIC};
use super::templates;
use crate::source::SourceFile;

pub struct InitOptions {
    pub name: String,
    pub namespace: String,
    pub image: String,
    pub strategy: String,
    pub traffic: String,
    pub templates: Option<PathBuf>,
}

/// The spec text for these options; an error when an option is not allowed or the result
/// would not be a valid spec.
pub fn spec_text(options: &InitOptions) -> Result<String, String> {
    for (flag, value, allowed) in [
        ("--strategy", &options.strategy, STRATEGIES),
        ("--traffic", &options.traffic, TRAFFIC),
    ] {
        if !allowed.contains(&value.as_str()) {
            return Err(format!(
                "{flag} {value}: not allowed{}; allowed: {}",
                crate::suggest::did_you_mean(value, allowed.iter().copied()),
                allowed.join(", ")
            ));
        }
    }
    let env = templates::environment(options.templates.clone());
    let text = env
        .get_template("zerodown.yaml.j2")
        .and_then(|t| {
            t.render(context! {
                name => options.name,
                namespace => options.namespace,
                image => options.image,
                strategy => options.strategy,
                traffic => options.traffic,
            })
        })
        .map_err(|e| format!("templates/zerodown.yaml.j2: {e}"))?;
    // What init writes, render must accept: flag values land in the spec unchecked.
    let source = SourceFile::new("zerodown.yaml", text.clone());
    spec::parse(&source, &[]).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("the options give an invalid spec: {}", e.message))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(text)
}

/// A DNS-label name from a folder name: `My_App` → `my-app`; `app` when nothing is left.
pub fn name_from_folder(folder: &str) -> String {
    let name: String = folder
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let name = name.trim_matches('-');
    let mut name: String = name.chars().take(45).collect();
    name = name.trim_end_matches('-').to_string();
    if name.is_empty() { "app".into() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(strategy: &str, traffic: &str) -> InitOptions {
        InitOptions {
            name: "checkout".into(),
            namespace: "shop".into(),
            image: "ghcr.io/acme/checkout:1.0.0".into(),
            strategy: strategy.into(),
            traffic: traffic.into(),
            templates: None,
        }
    }

    #[test]
    fn every_strategy_and_traffic_gives_a_valid_spec() {
        for strategy in STRATEGIES {
            for traffic in TRAFFIC {
                spec_text(&options(strategy, traffic))
                    .unwrap_or_else(|e| panic!("{strategy}/{traffic}: {e}"));
            }
        }
    }

    #[test]
    fn bad_options_are_refused() {
        let error = spec_text(&options("canery", "gateway")).unwrap_err();
        assert!(error.contains("did you mean `canary`"), "{error}");
        let mut bad_image = options("rolling", "gateway");
        bad_image.image = "nginx".into();
        assert!(spec_text(&bad_image).unwrap_err().contains("has no tag"));
    }

    #[test]
    fn names_from_folders() {
        assert_eq!(name_from_folder("My_App"), "my-app");
        assert_eq!(name_from_folder("--"), "app");
    }
}
