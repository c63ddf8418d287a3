//! The minijinja templates: embedded in the binary, each overridable by a file of the same
//! name in `--templates DIR`, so a team can adapt one object without forking the rest.

use std::path::{Path, PathBuf};

use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name)))),*]
    };
}

/// Every template zerodown ships, by file name.
pub static EMBEDDED: &[(&str, &str)] = embedded![
    "app.yaml.j2",
    "_partials/metadata.yaml.j2",
    "service.yaml.j2",
    "_partials/pod-template.yaml.j2",
    "deployment.yaml.j2",
    "rollout.yaml.j2",
    "pdb.yaml.j2",
    "hpa.yaml.j2",
    "migration-job.yaml.j2",
    "httproute.yaml.j2",
    "destinationrule.yaml.j2",
    "virtualservice.yaml.j2",
    "ingress.yaml.j2",
    "zerodown.yaml.j2",
];

/// The template rendering starts from.
pub const ENTRY: &str = "app.yaml.j2";

/// An environment whose loader reads `overrides/NAME` when it exists, else the embedded one.
pub fn environment(overrides: Option<PathBuf>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Each included object ends in a newline, so the next `---` starts a line.
    env.set_keep_trailing_newline(true);
    // A misspelt variable in a team's template is an error, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.add_filter("q", quote);
    env.set_loader(move |name| load(overrides.as_deref(), name));
    env
}

fn load(overrides: Option<&Path>, name: &str) -> Result<Option<String>, Error> {
    if let Some(dir) = overrides {
        // Template names come from the templates themselves: never leave the folder.
        if name.split('/').any(|part| part == "..") || name.starts_with('/') || name.contains('\\')
        {
            return Err(Error::new(
                ErrorKind::TemplateNotFound,
                format!("template name `{name}` leaves the templates folder"),
            ));
        }
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => return Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("cannot read {}: {e}", path.display()),
                ));
            }
        }
    }
    Ok(EMBEDDED
        .iter()
        .find(|(embedded, _)| *embedded == name)
        .map(|(_, text)| text.to_string()))
}

/// The `q` filter: a value as a YAML scalar that reads back as the same string. Plain when
/// that is safe, double-quoted (JSON escapes are valid YAML) when YAML 1.1 would read it as
/// something else (`on`, `1.10`, `null`, `*.example.com`) or it holds special characters.
pub fn quote(value: Value) -> String {
    if let Some(text) = value.as_str() {
        return quote_str(text);
    }
    if value.is_none() || value.is_undefined() {
        return "null".into();
    }
    value.to_string()
}

fn quote_str(text: &str) -> String {
    let safe_chars = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@".contains(c));
    let first_ok = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/' || c == '.');
    let reads_back = crate::yaml::resolve_plain(text) == serde_json::Value::String(text.into());
    if safe_chars && first_ok && reads_back && !text.ends_with(':') && !text.contains(": ") {
        text.to_string()
    } else {
        serde_json::Value::String(text.into()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_yaml_would_misread() {
        assert_eq!(
            quote_str("ghcr.io/acme/web:1.4.2"),
            "ghcr.io/acme/web:1.4.2"
        );
        assert_eq!(
            quote_str("app.kubernetes.io/name"),
            "app.kubernetes.io/name"
        );
        assert_eq!(quote_str("on"), "\"on\"");
        assert_eq!(quote_str("1.10"), "\"1.10\"");
        assert_eq!(quote_str("25%"), "\"25%\"");
        assert_eq!(quote_str("*.example.com"), "\"*.example.com\"");
        assert_eq!(quote_str("a \"b\""), "\"a \\\"b\\\"\"");
        assert_eq!(quote_str(""), "\"\"");
    }
}
