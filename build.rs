//! Links the command-line binaries as position-dependent executables (`-no-pie`).
//!
//! zerodown runs once per commit in a pre-commit hook, so its start-up is paid on every
//! commit. As a PIE, the dynamic loader applies ~24,000 relative relocations at every start,
//! writing (and so copying) each page of `.data.rel.ro`: about a quarter of a small lint's
//! run. A position-dependent executable has those addresses fixed at link time. The cost is
//! address-space randomisation of the executable's own image (libraries, stack and heap are
//! still randomised). Only the binaries are affected: the library, its tests and proc-macros
//! are built as before.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
