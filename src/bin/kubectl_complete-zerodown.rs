//! `kubectl_complete-zerodown`: shell completion for `kubectl zerodown …`. kubectl (1.26+)
//! runs it with the words typed after `zerodown`, the last one being completed, and reads
//! one candidate per line and then `:DIRECTIVE` (cobra's protocol: 4 = no file completion,
//! 0 = the shell's default, files).

const NO_FILE_COMPLETION: u8 = 4;
const DEFAULT_COMPLETION: u8 = 0;

fn main() {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let (candidates, directive) = complete(&words);
    for candidate in candidates {
        println!("{candidate}");
    }
    println!(":{directive}");
}

fn complete(words: &[String]) -> (Vec<String>, u8) {
    let root = zerodown::cli::command_for_completion();
    let (typed, current) = match words.split_last() {
        Some((current, typed)) => (typed, current.as_str()),
        None => (&[][..], ""),
    };
    // Walk down the subcommands named so far.
    let mut command = &root;
    for word in typed {
        if let Some(sub) = command.find_subcommand(word) {
            command = sub;
        }
    }
    // A value for the flag just typed: its possible values, if it has a fixed set.
    if let Some(flag) = typed.last().and_then(|w| w.strip_prefix("--"))
        && let Some(argument) = command.get_arguments().find(|a| a.get_long() == Some(flag))
        && argument.get_action().takes_values()
    {
        let values: Vec<String> = argument
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .filter(|v| v.starts_with(current))
            .collect();
        return if values.is_empty() {
            (Vec::new(), DEFAULT_COMPLETION)
        } else {
            (values, NO_FILE_COMPLETION)
        };
    }
    if current.starts_with('-') {
        let flags = command
            .get_arguments()
            .filter_map(|a| a.get_long())
            .map(|long| format!("--{long}"))
            .filter(|f| f.starts_with(current))
            .collect();
        return (flags, NO_FILE_COMPLETION);
    }
    let subcommands: Vec<String> = command
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .map(|s| {
            let about = s.get_about().map(|a| a.to_string()).unwrap_or_default();
            // cobra shows `name\tdescription`.
            format!("{}\t{}", s.get_name(), about.lines().next().unwrap_or(""))
        })
        .filter(|s| s.starts_with(current))
        .collect();
    if !subcommands.is_empty() {
        return (subcommands, NO_FILE_COMPLETION);
    }
    // A positional with a fixed set of values (`explain RULE`, `completions SHELL`).
    let values: Vec<String> = command
        .get_positionals()
        .flat_map(|a| a.get_possible_values())
        .map(|v| v.get_name().to_string())
        .filter(|v| v.starts_with(current))
        .collect();
    if values.is_empty() {
        // Paths: let the shell complete files.
        (Vec::new(), DEFAULT_COMPLETION)
    } else {
        (values, NO_FILE_COMPLETION)
    }
}
