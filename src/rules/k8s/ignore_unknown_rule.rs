use super::rule_meta;
use crate::rules::{Context, Rule, RuleMeta, Sink, find};
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::suppress::{ANNOTATION, comment_ids, mentions_comment_marker, parse_ids};

pub struct IgnoreUnknownRule;

static META: RuleMeta = rule_meta!(
    "ignore-unknown-rule",
    Warning,
    "an inline ignore names a rule id that does not exist, so it ignores nothing"
);

fn all_ids() -> impl Iterator<Item = &'static str> {
    crate::rules::RULES.iter().map(|r| r.meta().id)
}

const HELP: &str = "use an id from `zerodown rules`; a misspelt id silently suppresses nothing";

impl Rule for IgnoreUnknownRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            let Some(list) = object.annotation(ANNOTATION) else {
                continue;
            };
            for (id, _) in parse_ids(list) {
                if find(id).is_none() {
                    sink.report(
                        object,
                        format!("/metadata/annotations/{}", crate::yaml::escape(ANNOTATION)),
                        format!(
                            "`{id}` is not a zerodown rule{}",
                            did_you_mean(id, all_ids())
                        ),
                        HELP,
                    );
                }
            }
        }
        for (file_index, file) in context.files.iter().enumerate() {
            let text = &file.source.text;
            if !mentions_comment_marker(text) {
                continue;
            }
            for line in 1..=file.source.line_count() {
                let Some(line_text) = file.source.line_text(line) else {
                    continue;
                };
                for (id, at) in comment_ids(line_text) {
                    if find(id).is_some() {
                        continue;
                    }
                    let start = line_text.as_ptr() as usize - text.as_ptr() as usize + at;
                    sink.report_span(
                        file_index,
                        Span::new(start, start + id.len()),
                        format!(
                            "`{id}` is not a zerodown rule{}",
                            did_you_mean(id, all_ids())
                        ),
                        HELP,
                    );
                }
            }
        }
    }
}
