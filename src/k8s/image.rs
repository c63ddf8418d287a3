//! Container image references: `[registry[:port]/]repository[:tag][@digest]`.

/// The tag of an image reference, `None` when it has none. A digest counts as pinned and is
/// returned as `Some("@digest")`. A registry port (`registry:5000/app`) is not a tag.
pub fn image_tag(image: &str) -> Option<&str> {
    if let Some(at) = image.find('@') {
        return Some(&image[at..]);
    }
    let last_component = image.rsplit('/').next().unwrap_or(image);
    last_component.rfind(':').map(|i| &last_component[i + 1..])
}

/// The repository of an image reference: without `@digest` and without `:tag` (a colon
/// before the last `/` is a registry port, `host:5000/app:1.2` → `host:5000/app`). Docker
/// Hub short forms are normalised so `nginx`, `docker.io/nginx` and
/// `docker.io/library/nginx` compare equal. `None` for an empty or templated reference.
pub fn repository(image: &str) -> Option<String> {
    let image = image.trim();
    if image.is_empty() || image.contains("{{") || image.contains("${") {
        return None;
    }
    let without_digest = image.split_once('@').map_or(image, |(name, _)| name);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let name = match without_digest[last_slash..].rfind(':') {
        Some(colon) => &without_digest[..last_slash + colon],
        None => without_digest,
    };
    if name.is_empty() {
        return None;
    }
    let name = name.to_ascii_lowercase();
    let name = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(&name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    Some(name.to_string())
}

/// The tag of an image reference, ignoring any digest (`host:5000/app:1.2@sha256:…` →
/// `1.2`).
pub fn tag_before_digest(image: &str) -> Option<&str> {
    let image = image.trim();
    let without_digest = image.split_once('@').map_or(image, |(name, _)| name);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let (_, tag) = without_digest[last_slash..].rsplit_once(':')?;
    (!tag.is_empty()).then_some(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_digests_and_ports() {
        assert_eq!(
            repository("ghcr.io/acme/app:1.2").as_deref(),
            Some("ghcr.io/acme/app")
        );
        assert_eq!(
            repository("host:5000/app:1.2").as_deref(),
            Some("host:5000/app")
        );
        assert_eq!(
            repository("host:5000/app").as_deref(),
            Some("host:5000/app")
        );
        assert_eq!(
            repository("ghcr.io/acme/app@sha256:abcd").as_deref(),
            Some("ghcr.io/acme/app")
        );
        assert_eq!(
            repository("ghcr.io/acme/app:1.2@sha256:abcd").as_deref(),
            Some("ghcr.io/acme/app")
        );
        assert_eq!(repository("nginx:1.27").as_deref(), Some("nginx"));
        assert_eq!(
            repository("docker.io/library/nginx").as_deref(),
            Some("nginx")
        );
        assert_eq!(
            repository("docker.io/acme/app:2").as_deref(),
            Some("acme/app")
        );
        assert_eq!(repository(""), None);
        assert_eq!(
            tag_before_digest("host:5000/app:1.2@sha256:ab"),
            Some("1.2")
        );
        assert_eq!(tag_before_digest("host:5000/app"), None);
        assert_eq!(repository("{{ .Values.image }}"), None);
    }
}
