//! Arbitrary bytes into the one YAML loader: valid UTF-8 as is, anything else lossily
//! converted (the CLI reads files as UTF-8 and refuses the rest, so both are reachable
//! from an embedder).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (documents, errors) = zerodown::yaml::load(&text);
    // Touch what callers read so nothing is optimised away and the offsets are sane.
    for document in &documents {
        let range = document.chunk.range();
        assert!(range.start <= range.end && range.end <= text.len());
        std::hint::black_box(&document.value);
    }
    for error in &errors {
        std::hint::black_box(&error.message);
    }
});
