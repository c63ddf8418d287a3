//! The parse-only floor that `bench/run.sh` measures zerodown against: the same YAML parser
//! (saphyr-parser) over the same bytes, every event walked, one thread, nothing else kept.
//! A lint that takes no longer than this has no overhead worth removing.
//!
//! `parse_floor FILE…` reads every file into one stream (as `cat` would join them) and parses
//! it once; prints the seconds spent reading and parsing, the event count and the bytes.

use std::time::Instant;

use saphyr_parser::{Event, Parser};

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: parse_floor FILE…");
        std::process::exit(2);
    }
    let start = Instant::now();
    let mut stream = String::new();
    for path in &paths {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                // One stream of documents: each file starts a document of its own.
                if !stream.is_empty() && !stream.ends_with('\n') {
                    stream.push('\n');
                }
                if !stream.is_empty() {
                    stream.push_str("---\n");
                }
                stream.push_str(&text);
            }
            Err(error) => {
                eprintln!("{path}: {error}");
                std::process::exit(2);
            }
        }
    }
    let (mut events, mut scalar_bytes) = (0usize, 0usize);
    let mut parser = Parser::new_from_str(&stream);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, _span)) => {
                events += 1;
                // Touch what a consumer would read, so nothing is optimised away.
                if let Event::Scalar(text, ..) = &event {
                    scalar_bytes += text.len();
                }
                if matches!(event, Event::StreamEnd) {
                    break;
                }
            }
            Err(error) => {
                eprintln!(
                    "parse error at char {}: {}",
                    error.marker().index(),
                    error.info()
                );
                std::process::exit(1);
            }
        }
    }
    println!(
        "{:.4} s  {} events  {} scalar bytes  {} bytes",
        start.elapsed().as_secs_f64(),
        events,
        scalar_bytes,
        stream.len()
    );
}
