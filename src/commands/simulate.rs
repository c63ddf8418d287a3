//! `zerodown simulate`: manifests in, rollout timelines out.

use crate::cli::SimulateArgs;
use crate::exit;

pub fn run(args: &SimulateArgs) -> u8 {
    let _ = args;
    eprintln!("error: simulate is not built yet");
    exit::INPUT_ERROR
}
