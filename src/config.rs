//! `.zerodown.yaml`: per-rule levels, path excludes, the cluster's Kubernetes version and the
//! namespace of objects that name none.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::input::InputError;
use crate::severity::Level;
use crate::source::SourceFile;

pub const FILE_NAME: &str = ".zerodown.yaml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawConfig {
    #[serde(default)]
    rules: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    exclude: Vec<String>,
    kubernetes_version: Option<String>,
    namespace: Option<String>,
}

/// A `major.minor` Kubernetes version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

impl KubeVersion {
    pub const DEFAULT: KubeVersion = KubeVersion {
        major: 1,
        minor: 32,
    };

    pub fn parse(text: &str) -> Option<KubeVersion> {
        let text = text.trim().trim_start_matches('v');
        let mut parts = text.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(KubeVersion { major, minor })
    }

    pub fn at_least(self, major: u32, minor: u32) -> bool {
        self >= KubeVersion { major, minor }
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Clone)]
pub struct Config {
    /// Where it was read from, if anywhere.
    pub path: Option<PathBuf>,
    pub levels: BTreeMap<String, Level>,
    pub exclude: GlobSet,
    /// The folder exclude globs are relative to: the config file's.
    pub root: Option<PathBuf>,
    pub kubernetes_version: KubeVersion,
    pub namespace: String,
    /// Problems that do not stop the run (unknown rule ids), as `path:line:col: warning: …`.
    pub warnings: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            levels: BTreeMap::new(),
            exclude: GlobSet::empty(),
            root: None,
            kubernetes_version: KubeVersion::DEFAULT,
            namespace: "default".to_string(),
            warnings: Vec::new(),
        }
    }
}

/// Looks for `.zerodown.yaml` in `start` and its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// The absolute folder a file is in (`.` for a bare file name), if it exists.
pub fn folder_of(path: &Path) -> Option<PathBuf> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    std::fs::canonicalize(parent.unwrap_or(Path::new("."))).ok()
}

impl Config {
    /// Reads and checks a config file; every error is located in it.
    pub fn load(path: &Path, known_rules: &[&str]) -> Result<Config, InputError> {
        let source = crate::input::read_file(path)?;
        Config::parse(source, known_rules)
    }

    pub fn parse(source: SourceFile, known_rules: &[&str]) -> Result<Config, InputError> {
        let (mut documents, errors) = crate::yaml::load(&source.text);
        if let Some(error) = errors.first() {
            return Err(InputError::at(&source, error.offset, &error.message));
        }
        let document = documents.pop();
        let value = document
            .as_ref()
            .map_or(serde_json::Value::Null, |d| d.value.clone());
        let error_at = |pointer: &str, message: &str| {
            let offset = document.as_ref().map_or(0, |d| {
                d.spans.locate(&source.text, pointer, false).span.start as usize
            });
            InputError::at(&source, offset, message)
        };
        let raw: RawConfig = if value.is_null() {
            RawConfig::default()
        } else {
            let (result, _) = crate::k8s::de::from_value::<RawConfig>(&value, "");
            result.map_err(|e| error_at(e.pointer.as_deref().unwrap_or(""), &e.message))?
        };

        let path = PathBuf::from(&source.name);
        let root = folder_of(&path);
        let mut config = Config {
            path: Some(path),
            root,
            ..Config::default()
        };
        for (rule, level) in &raw.rules {
            let pointer = format!("/rules/{}", crate::yaml::escape(rule));
            // YAML 1.1, as kubectl reads it, makes a bare `off` the boolean false.
            let level: Level = match level {
                serde_json::Value::Bool(false) => Ok(Level::Off),
                serde_json::Value::String(text) => text.parse(),
                other => Err(format!(
                    "`{other}` is not a level (off, info, warning, error)"
                )),
            }
            .map_err(|e: String| error_at(&pointer, &e))?;
            if !known_rules.contains(&rule.as_str()) {
                let at = error_at(&pointer, "");
                config.warnings.push(format!(
                    "{}:{}:{}: warning: unknown rule id `{rule}` (see `zerodown rules`){}",
                    at.file,
                    at.line,
                    at.column,
                    crate::suggest::did_you_mean(rule, known_rules.iter().copied())
                ));
            }
            config.levels.insert(rule.clone(), level);
        }
        let mut globs = GlobSetBuilder::new();
        for (i, pattern) in raw.exclude.iter().enumerate() {
            let glob = Glob::new(pattern)
                .map_err(|e| error_at(&format!("/exclude/{i}"), &format!("bad glob: {e}")))?;
            globs.add(glob);
        }
        config.exclude = globs
            .build()
            .map_err(|e| error_at("/exclude", &format!("bad glob: {e}")))?;
        if let Some(version) = &raw.kubernetes_version {
            config.kubernetes_version = KubeVersion::parse(version).ok_or_else(|| {
                error_at(
                    "/kubernetesVersion",
                    &format!("`{version}` is not a Kubernetes version like \"1.32\""),
                )
            })?;
        }
        if let Some(namespace) = raw.namespace {
            config.namespace = namespace;
        }
        Ok(config)
    }

    /// Whether a path found while walking a folder is excluded: globs match the path relative
    /// to the config's folder, the path as walked, or the file name.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let relative = self.root.as_ref().and_then(|root| {
            let real = std::fs::canonicalize(path).ok()?;
            real.strip_prefix(root).ok().map(Path::to_path_buf)
        });
        relative.is_some_and(|r| self.exclude.is_match(r))
            || self
                .exclude
                .is_match(path.strip_prefix("./").unwrap_or(path))
            || path.file_name().is_some_and(|n| self.exclude.is_match(n))
    }

    /// The level of a rule: the config's, else the rule's own severity.
    pub fn level(&self, rule: &str, default: crate::severity::Severity) -> Level {
        self.levels.get(rule).copied().unwrap_or(Level::On(default))
    }
}
