use super::*;
use serde_json::json;

fn one(text: &str) -> Document {
    let (mut docs, errors) = load(text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn located<'a>(text: &'a str, doc: &Document, pointer: &str) -> (&'a str, bool) {
    let at = doc.spans.locate(text, pointer, false);
    (&text[at.span.range()], at.exact)
}

#[test]
fn values_and_spans_of_a_document() {
    let text =
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: \"nginx:1\"\n";
    let doc = one(text);
    assert_eq!(
        doc.value["spec"]["containers"][0]["image"],
        json!("nginx:1")
    );
    assert_eq!(located(text, &doc, "/kind"), ("Pod", true));
    assert_eq!(
        located(text, &doc, "/spec/containers/0/image"),
        ("\"nginx:1\"", true)
    );
    // A missing key falls back to the nearest ancestor, narrowed to its `name` entry.
    assert_eq!(
        located(text, &doc, "/spec/containers/0/readinessProbe"),
        ("name: app", false)
    );
    let key = doc.spans.locate(text, "/spec/containers", true);
    assert_eq!(&text[key.span.range()], "containers");
}

#[test]
fn multi_byte_characters_keep_byte_spans_right() {
    let text = "a: \"é\"\nb: ünïcode\n";
    let doc = one(text);
    assert_eq!(located(text, &doc, "/b"), ("ünïcode", true));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let text = "base: &base\n  a: 1\n  b: 2\nderived:\n  <<: *base\n  b: 3\nlist: [*base]\n";
    let doc = one(text);
    assert_eq!(doc.value["derived"], json!({"b": 3, "a": 1}));
    assert_eq!(doc.value["list"][0], json!({"a": 1, "b": 2}));
    // A merged key is located at its definition in the anchor.
    assert_eq!(located(text, &doc, "/derived/a"), ("1", true));
    assert_eq!(located(text, &doc, "/derived/b"), ("3", true));
}

#[test]
fn duplicate_keys_are_recorded_at_the_second_key() {
    let text = "a: 1\nspec:\n  items:\n  - x: 1\n    x: 2\n";
    let doc = one(text);
    assert_eq!(doc.duplicate_keys.len(), 1);
    let dup = &doc.duplicate_keys[0];
    assert_eq!(dup.pointer, "/spec/items/0/x");
    assert_eq!(dup.span.start, 33);
    assert_eq!(doc.value["spec"]["items"][0]["x"], json!(2));
}

#[test]
fn documents_are_parsed_independently() {
    let text = "a: 1\n---\nb: [unclosed\n---\nc: 3\n";
    let (docs, errors) = load(text);
    assert_eq!(docs.len(), 2);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].offset >= 9, "{errors:?}");
}

#[test]
fn alias_bombs_are_bounded() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    let (docs, errors) = load(&text);
    assert!(docs.is_empty());
    assert!(errors[0].message.contains("alias"), "{errors:?}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let (docs, errors) = load(&text);
    assert!(docs.is_empty());
    assert!(
        errors[0].message.contains("nesting is too deep"),
        "{errors:?}"
    );
}

#[test]
fn unindented_quoted_continuations_are_accepted_like_kubectl() {
    let text = "spec:\n  description: \"first line\nsecond line\"\n  other: x\n";
    let doc = one(text);
    assert_eq!(
        doc.value["spec"]["description"],
        json!("first line second line")
    );
    assert_eq!(located(text, &doc, "/spec/other"), ("x", true));
}

#[test]
fn comment_only_and_empty_streams_have_no_documents() {
    assert!(load("").0.is_empty());
    assert!(load("# just a comment\n---\n# another\n").0.is_empty());
}

/// Keys are kept as text only, except an anchored key, whose value an alias may reuse.
#[test]
fn an_anchored_key_can_be_aliased_as_a_value() {
    let text = "&k app: web\nname: *k\n'quoted: key': 1\n\"2\": two\n";
    let doc = one(text);
    assert_eq!(
        doc.value,
        json!({"app": "web", "name": "app", "quoted: key": 1, "2": "two"})
    );
    assert_eq!(located(text, &doc, "/quoted: key"), ("1", true));
}
