//! `grace-period-too-short`, and the preStop reading shared with `prestop-sleep-unsupported`:
//! which containers have a preStop hook, and how long that hook sleeps.

use crate::k8s::view::Container;
use k8s_openapi::api::core::v1::LifecycleHandler;

use super::{container_label, rule_meta};
use crate::k8s::Object;
use crate::k8s::workload::{pod_template, running_containers};
use crate::rules::{Context, Rule, RuleMeta, Sink};
use crate::severity::Severity;

pub struct GracePeriodTooShort;

static META: RuleMeta = rule_meta!(
    "grace-period-too-short",
    Error,
    "the preStop sleep uses up terminationGracePeriodSeconds, so the app is killed mid-request"
);

/// The default `terminationGracePeriodSeconds`.
pub const DEFAULT_GRACE_SECONDS: i64 = 30;
/// Below this many seconds between the end of the preStop sleep and SIGKILL, the app has
/// too little time to finish its in-flight requests.
const MIN_DRAIN_SECONDS: f64 = 5.0;

/// A container of a long-running workload that has a preStop hook.
pub struct PreStopContainer<'a> {
    pub index: usize,
    pub container: &'a Container,
    pub handler: &'a LifecycleHandler,
    /// `/spec/template/spec/containers/N/lifecycle/preStop`.
    pub pointer: String,
    /// The pod's `terminationGracePeriodSeconds`, when set.
    pub grace: Option<i64>,
}

/// Every container with a preStop hook: the containers and the native sidecars
/// (`initContainers` with `restartPolicy: Always`; other init containers cannot have one).
/// Jobs and CronJobs are exempt: nothing is routed to them while they stop.
pub fn prestop_containers(object: &Object) -> Vec<PreStopContainer<'_>> {
    let Some(pod) = pod_template(object) else {
        return Vec::new();
    };
    let grace = pod.spec.termination_grace_period_seconds;
    running_containers(&pod)
        .into_iter()
        .filter_map(|running| {
            let handler = running.container.lifecycle.as_ref()?.pre_stop.as_ref()?;
            Some(PreStopContainer {
                index: running.index,
                container: running.container,
                handler,
                pointer: format!("{}/lifecycle/preStop", running.pointer),
                grace,
            })
        })
        .collect()
}

/// How long a preStop hook sleeps, and where the sleep is written.
#[derive(Debug, PartialEq)]
pub struct PreStopSleep {
    pub seconds: f64,
    /// `sleep/seconds` or `exec/command`, relative to the preStop hook.
    pub pointer: &'static str,
}

/// The sleep of a preStop hook: the native `sleep.seconds`, or the sleeps an exec command
/// runs. `None` when no sleep can be read.
pub fn prestop_sleep(handler: &LifecycleHandler) -> Option<PreStopSleep> {
    if let Some(sleep) = &handler.sleep {
        return Some(PreStopSleep {
            seconds: sleep.seconds as f64,
            pointer: "sleep/seconds",
        });
    }
    let command = handler.exec.as_ref()?.command.as_ref()?;
    let words: Vec<&str> = command.iter().map(String::as_str).collect();
    Some(PreStopSleep {
        seconds: command_sleep_seconds(&words)?,
        pointer: "exec/command",
    })
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];

/// The seconds an exec command sleeps: `sleep 10`, `/bin/sleep 10s`, `busybox sleep 10`, or a
/// shell (`sh -c "…"`) whose script runs sleeps. `None` when no sleep can be read.
pub fn command_sleep_seconds(words: &[&str]) -> Option<f64> {
    let (first, rest) = words.split_first()?;
    let name = basename(first);
    if name == "busybox" {
        return command_sleep_seconds(rest);
    }
    if name == "sleep" {
        return sleep_arguments(rest);
    }
    if !SHELLS.contains(&name) {
        return None;
    }
    // `sh [-options] -c script …`: the script is the first operand after the options.
    let mut has_c = false;
    let mut operands = rest.iter();
    for word in operands.by_ref() {
        if *word == "--" {
            break;
        }
        match word.strip_prefix('-') {
            Some(flags) if !flags.starts_with('-') && !flags.is_empty() => {
                has_c |= flags.contains('c');
            }
            _ => {
                return if has_c {
                    script_sleep_seconds(word)
                } else {
                    None
                };
            }
        }
    }
    if has_c {
        script_sleep_seconds(operands.next()?)
    } else {
        None
    }
}

/// The arguments of `sleep`: GNU and busybox sum them, each a number with an optional
/// `s`, `m`, `h` or `d` suffix.
fn sleep_arguments(arguments: &[&str]) -> Option<f64> {
    if arguments.is_empty() {
        return None;
    }
    let mut total = 0.0;
    for argument in arguments {
        total += duration_seconds(argument)?;
    }
    Some(total)
}

fn duration_seconds(text: &str) -> Option<f64> {
    let (number, unit) = match text.char_indices().last()? {
        (i, 's') => (&text[..i], 1.0),
        (i, 'm') => (&text[..i], 60.0),
        (i, 'h') => (&text[..i], 3600.0),
        (i, 'd') => (&text[..i], 86400.0),
        _ => (text, 1.0),
    };
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    Some(value * unit)
}

/// How a simple command of a script ends.
#[derive(Clone, Copy, PartialEq)]
enum Separator {
    /// `;`, a newline, `&&`, `|`, or the end of the script: the next command waits.
    Sequence,
    /// `||`: the next command runs only when this one fails.
    Or,
    /// `&`: this command runs in the background.
    Background,
}

/// Splits a shell script into simple commands (their words, quotes removed) and what ends
/// each. Enough of the shell for preStop one-liners; `$(…)` and heredocs are not parsed.
fn simple_commands(script: &str) -> Vec<(Vec<String>, Separator)> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let mut end_command = |words: &mut Vec<String>, separator: Separator| {
        commands.push((std::mem::take(words), separator));
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        _ => word.push(q),
                    }
                }
            }
            '\\' => {
                // A backslash-newline continues the line.
                match chars.next() {
                    Some('\n') | None => {}
                    Some(escaped) => {
                        in_word = true;
                        word.push(escaped);
                    }
                }
            }
            '#' if !in_word => {
                for q in chars.by_ref() {
                    if q == '\n' {
                        break;
                    }
                }
                end_command(&mut words, Separator::Sequence);
            }
            ';' | '\n' | '&' | '|' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                let separator = match c {
                    '&' if chars.peek() == Some(&'&') => {
                        chars.next();
                        Separator::Sequence
                    }
                    '&' => Separator::Background,
                    '|' if chars.peek() == Some(&'|') => {
                        chars.next();
                        Separator::Or
                    }
                    _ => Separator::Sequence,
                };
                end_command(&mut words, separator);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    end_command(&mut words, Separator::Sequence);
    commands.retain(|(words, _)| !words.is_empty());
    commands
}

/// The seconds a shell script surely sleeps: the sum of the sleeps it runs in sequence.
/// Sleeps that may not run, or run any number of times, do not count: in the background
/// (`&`), after `||`, inside `if`/`case` branches and loops. `None` when none can be read.
fn script_sleep_seconds(script: &str) -> Option<f64> {
    let mut total = None;
    let mut depth = 0usize;
    let mut after_or = false;
    for (words, separator) in simple_commands(script) {
        let skip = after_or;
        after_or = separator == Separator::Or;
        let mut words: Vec<&str> = words.iter().map(|w| w.trim_matches(['(', ')'])).collect();
        // Leading keywords and grouping; `if`/`case`/loops open a block whose sleeps may
        // not run, or run more than once.
        while let Some(first) = words.first().copied() {
            match first {
                "if" | "case" | "while" | "until" | "for" | "select" => depth += 1,
                "fi" | "esac" | "done" => depth = depth.saturating_sub(1),
                "" | "{" | "}" | "then" | "else" | "elif" | "do" | "exec" | "command" | "!"
                | "time" => {}
                _ => break,
            }
            words.remove(0);
        }
        if depth > 0 || skip || separator == Separator::Background {
            continue;
        }
        if let Some(seconds) = command_sleep_seconds(&words) {
            *total.get_or_insert(0.0) += seconds;
        }
    }
    total
}

impl Rule for GracePeriodTooShort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, context: &Context<'_>, sink: &mut Sink<'_>) {
        for object in context.objects {
            for found in prestop_containers(object) {
                check_container(object, &found, sink);
            }
        }
    }
}

fn check_container(object: &Object, found: &PreStopContainer<'_>, sink: &mut Sink<'_>) {
    // A zero grace period gives any hook no time, whatever it does or however long: the
    // kubelet waits for preStop at most the grace period, then SIGTERM, then SIGKILL 2 s
    // later.
    if found.grace == Some(0) {
        sink.report_with_severity(
            Severity::Error,
            object,
            found.pointer.clone(),
            format!(
                "container `{}` of {}: terminationGracePeriodSeconds is 0, so its preStop \
                 hook gets no time at all: the kubelet stops waiting for it at once, sends \
                 SIGTERM and kills the container 2s later, while traffic may still arrive",
                container_label(&found.container.name, found.index),
                object.display_name()
            ),
            "remove `terminationGracePeriodSeconds: 0` (the default is 30 s) or set it to the \
             hook's duration plus the time the app needs to finish its requests",
        );
        return;
    }
    let Some(sleep) = prestop_sleep(found.handler) else {
        return;
    };
    let grace = found.grace.unwrap_or(DEFAULT_GRACE_SECONDS);
    if sleep.seconds <= 0.0 || grace < 0 {
        return;
    }
    let container = container_label(&found.container.name, found.index);
    let name = object.display_name();
    let seconds = sleep.seconds;
    let grace_source = match found.grace {
        Some(_) => "terminationGracePeriodSeconds",
        None => "the default terminationGracePeriodSeconds",
    };
    let left = grace as f64 - seconds;
    let suggested = seconds.ceil() as i64 + 15;
    let help = format!(
        "set `terminationGracePeriodSeconds: {suggested}` or more on the pod (the {seconds}s \
         sleep plus the time the app needs to finish its requests after SIGTERM), or shorten \
         the preStop sleep: 5–10 s is usually enough for endpoints and load balancers to \
         catch up"
    );
    let pointer = format!("{}/{}", found.pointer, sleep.pointer);
    if left <= 0.0 {
        let rejected = if sleep.pointer == "sleep/seconds" && left < 0.0 {
            "; the API server rejects a native sleep longer than the grace period"
        } else {
            ""
        };
        sink.report_with_severity(
            Severity::Error,
            object,
            pointer,
            format!(
                "container `{container}` of {name}: preStop sleeps {seconds}s but the pod is \
                 killed after {grace}s ({grace_source}, counted from the start of preStop): \
                 SIGTERM comes only when the grace period is over and the app gets 2s before \
                 SIGKILL{rejected}"
            ),
            help,
        );
    } else if left < MIN_DRAIN_SECONDS {
        sink.report_with_severity(
            Severity::Warning,
            object,
            pointer,
            format!(
                "container `{container}` of {name}: preStop sleeps {seconds}s of the {grace}s \
                 grace period ({grace_source}), leaving {left}s after SIGTERM for the app to \
                 finish in-flight requests before SIGKILL"
            ),
            help,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::command_sleep_seconds;

    fn secs(command: &[&str]) -> Option<f64> {
        command_sleep_seconds(command)
    }

    #[test]
    fn reads_a_plain_sleep() {
        assert_eq!(secs(&["sleep", "10"]), Some(10.0));
        assert_eq!(secs(&["/bin/sleep", "15"]), Some(15.0));
        assert_eq!(secs(&["/usr/bin/sleep", "0.5"]), Some(0.5));
        assert_eq!(secs(&["sleep", "10s"]), Some(10.0));
        assert_eq!(secs(&["sleep", "1m"]), Some(60.0));
        assert_eq!(secs(&["sleep", "1.5m"]), Some(90.0));
        assert_eq!(secs(&["sleep", "1h"]), Some(3600.0));
        assert_eq!(secs(&["sleep", "1m", "30s"]), Some(90.0));
        assert_eq!(secs(&["busybox", "sleep", "7"]), Some(7.0));
    }

    #[test]
    fn ignores_sleeps_it_cannot_read() {
        assert_eq!(secs(&["sleep"]), None);
        assert_eq!(secs(&["sleep", "infinity"]), None);
        assert_eq!(secs(&["sleep", "$DELAY"]), None);
        assert_eq!(secs(&["sleep", "-1"]), None);
        assert_eq!(secs(&["sleep", "10x"]), None);
        assert_eq!(secs(&["sleep", "s"]), None);
        assert_eq!(secs(&["nginx", "-s", "quit"]), None);
        assert_eq!(secs(&["/bin/sh", "/scripts/prestop.sh"]), None);
        assert_eq!(secs(&["sh", "-c", "nginx -s quit"]), None);
        assert_eq!(secs(&["sh", "-c", "sleep $PRESTOP_DELAY"]), None);
        assert_eq!(secs(&["sh", "-c"]), None);
        assert_eq!(secs(&[]), None);
        assert_eq!(secs(&["sleeper", "10"]), None);
        assert_eq!(secs(&["sh", "-c", "echo sleep 10"]), None);
    }

    #[test]
    fn reads_sleeps_in_shell_scripts() {
        assert_eq!(secs(&["/bin/sh", "-c", "sleep 10"]), Some(10.0));
        assert_eq!(secs(&["sh", "-c", "sleep 10 && nginx -s quit"]), Some(10.0));
        assert_eq!(secs(&["sh", "-c", "sleep 5; kill -TERM 1"]), Some(5.0));
        assert_eq!(secs(&["bash", "-c", "/bin/sleep 15"]), Some(15.0));
        assert_eq!(secs(&["/bin/bash", "-ec", "sleep 10s"]), Some(10.0));
        assert_eq!(secs(&["sh", "-c", "--", "sleep 3"]), Some(3.0));
        assert_eq!(secs(&["sh", "-x", "-c", "sleep 3"]), Some(3.0));
        assert_eq!(secs(&["sh", "-c", "exec sleep 12"]), Some(12.0));
        assert_eq!(secs(&["sh", "-c", "sleep '8'"]), Some(8.0));
        assert_eq!(secs(&["sh", "-c", "sleep \"8\""]), Some(8.0));
        assert_eq!(
            secs(&["sh", "-c", "sleep 5\nnginx -s quit\nsleep 3"]),
            Some(8.0)
        );
        assert_eq!(
            secs(&["sh", "-c", "sleep 5 && wget -qO- localhost/drain; sleep 10"]),
            Some(15.0)
        );
        assert_eq!(secs(&["sh", "-c", "(sleep 4)"]), Some(4.0));
        assert_eq!(secs(&["sh", "-c", "{ sleep 4; }"]), Some(4.0));
        assert_eq!(secs(&["sh", "-c", "sleep 2 | cat"]), Some(2.0));
        assert_eq!(secs(&["sh", "-c", "sh -c 'sleep 6'"]), Some(6.0));
        assert_eq!(
            secs(&["sh", "-c", "# wait for endpoints\nsleep 6"]),
            Some(6.0)
        );
        assert_eq!(
            secs(&["sh", "-c", "sleep 6 # wait for endpoints"]),
            Some(6.0)
        );
        assert_eq!(secs(&["sh", "-c", "sleep 1m && kill 1"]), Some(60.0));
        // Unreadable parts besides: the readable sleeps count.
        assert_eq!(
            secs(&["sh", "-c", "sleep $EXTRA; sleep 5; /app/drain --wait"]),
            Some(5.0)
        );
    }

    #[test]
    fn counts_only_sleeps_that_surely_run() {
        assert_eq!(secs(&["sh", "-c", "sleep 100 & nginx -s quit"]), None);
        assert_eq!(secs(&["sh", "-c", "sleep 100 & sleep 5"]), Some(5.0));
        assert_eq!(secs(&["sh", "-c", "sleep 5 || sleep 10"]), Some(5.0));
        assert_eq!(
            secs(&[
                "sh",
                "-c",
                "if [ -f /tmp/x ]; then sleep 30; else sleep 5; fi"
            ]),
            None
        );
        assert_eq!(
            secs(&["sh", "-c", "if true; then sleep 30; fi; sleep 5"]),
            Some(5.0)
        );
        assert_eq!(
            secs(&["sh", "-c", "while pgrep app; do sleep 1; done; sleep 2"]),
            Some(2.0)
        );
        assert_eq!(
            secs(&["sh", "-c", "for i in 1 2 3; do\n  sleep 10\ndone"]),
            None
        );
        assert_eq!(
            secs(&["sh", "-c", "case $X in a) sleep 9;; esac; sleep 1"]),
            Some(1.0)
        );
    }
}
