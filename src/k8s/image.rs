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
