use super::{container_label, rule_meta};
use crate::k8s::image::image_tag;
use crate::k8s::workload::pod_template;
use crate::rules::{Context, Rule, RuleMeta, Sink};

pub struct MutableImageTag;

static META: RuleMeta = rule_meta!(
    "mutable-image-tag",
    Error,
    "an image uses `:latest` or no tag, so a rollback or a rescheduled pod may run other code"
);

impl Rule for MutableImageTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            let Some(pod) = pod_template(object) else {
                continue;
            };
            let lists = [
                ("containers", Some(&pod.spec.containers)),
                ("initContainers", pod.spec.init_containers.as_ref()),
            ];
            for (list, containers) in lists {
                for (i, container) in containers.into_iter().flatten().enumerate() {
                    let Some(image) = container.image.as_deref() else {
                        continue;
                    };
                    // Placeholders filled in by a later tool (envsubst, CI) are not images yet.
                    if image.contains("${") || image.contains("{{") || image.is_empty() {
                        continue;
                    }
                    let problem = match image_tag(image) {
                        None => "has no tag, so it means `:latest`",
                        Some("latest") => "uses the moving tag `:latest`",
                        Some(_) => continue,
                    };
                    sink.report(
                        object,
                        format!("{}/{list}/{i}/image", pod.spec_pointer),
                        format!(
                            "image `{image}` of container `{}` {problem}: a rollback, a \
                             restart or a new node may pull different code",
                            container_label(&container.name, i)
                        ),
                        "pin a version tag or a digest (`app:1.4.2` or `app@sha256:…`); \
                         `kubectl rollout undo` only restores the old code when the old \
                         image reference still names it",
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::k8s::image::image_tag;

    #[test]
    fn finds_tags_and_ignores_registry_ports() {
        assert_eq!(image_tag("nginx"), None);
        assert_eq!(image_tag("nginx:1.27"), Some("1.27"));
        assert_eq!(image_tag("registry:5000/app"), None);
        assert_eq!(image_tag("registry:5000/app:latest"), Some("latest"));
        assert_eq!(image_tag("app@sha256:abc"), Some("@sha256:abc"));
        assert_eq!(image_tag("app:1@sha256:abc"), Some("@sha256:abc"));
    }
}
