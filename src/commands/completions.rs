//! `zerodown completions SHELL` and `zerodown man`: both generated from the one clap
//! definition (`cli::command_for_completion`), so they cannot drift from the parser.

use std::io::Write;

use crate::exit;

pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut command = crate::cli::command_for_completion();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "zerodown", &mut out);
    match out.flush() {
        Ok(()) => exit::CLEAN,
        Err(error) => {
            eprintln!("error: writing the completion script: {error}");
            exit::INPUT_ERROR
        }
    }
}

pub fn man() -> u8 {
    let page = clap_mangen::Man::new(crate::cli::command_for_completion());
    let mut out = std::io::stdout().lock();
    match page.render(&mut out).and_then(|()| out.flush()) {
        Ok(()) => exit::CLEAN,
        Err(error) => {
            eprintln!("error: writing the man page: {error}");
            exit::INPUT_ERROR
        }
    }
}
