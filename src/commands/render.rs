//! The `init` and `render` subcommands: arguments in, files or a stream out, exit code back.

use std::io::Write;

use super::find_config;
use crate::atomic::write_atomic;
use crate::cli::{InitArgs, RenderArgs};
use crate::exit;
use crate::output::{self, Format, Report};
use crate::render::init::{InitOptions, name_from_folder, spec_text};
use crate::render::out::write_all;
use crate::render::spec::{self, Override};
use crate::render::{self, Options};

/// `--templates DIR` must name a folder: a typo would otherwise fall back to the built-in
/// templates without a word.
fn check_templates(dir: Option<&std::path::PathBuf>) -> Result<(), String> {
    match dir {
        Some(dir) if !dir.is_dir() => Err(format!(
            "--templates {}: not a folder of templates",
            dir.display()
        )),
        _ => Ok(()),
    }
}

pub fn init(args: &InitArgs) -> u8 {
    if let Err(error) = check_templates(args.templates.as_ref()) {
        eprintln!("error: {error}");
        return exit::INPUT_ERROR;
    }
    if args.path.exists() && !args.force {
        eprintln!(
            "error: {} exists; pass --force to replace it",
            args.path.display()
        );
        return exit::INPUT_ERROR;
    }
    let name = args.name.clone().unwrap_or_else(|| {
        let folder = std::env::current_dir()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        name_from_folder(&folder)
    });
    let options = InitOptions {
        image: args
            .image
            .clone()
            .unwrap_or_else(|| format!("registry.example.com/{name}:1.0.0")),
        name,
        namespace: args.namespace.clone(),
        strategy: args.strategy.clone(),
        traffic: args.traffic.clone(),
        templates: args.templates.clone(),
    };
    let text = match spec_text(&options) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::INPUT_ERROR;
        }
    };
    if let Err(error) = write_atomic(&args.path, text.as_bytes()) {
        eprintln!("error: {}: cannot write: {error}", args.path.display());
        return exit::INPUT_ERROR;
    }
    eprintln!(
        "wrote {}; next: `zerodown render {}`",
        args.path.display(),
        args.path.display()
    );
    exit::CLEAN
}

fn overrides(args: &RenderArgs) -> Result<Vec<Override>, String> {
    let mut overrides = Vec::new();
    if let Some(strategy) = &args.strategy {
        overrides.push(Override::flag("strategy", "strategy", strategy));
    }
    if let Some(traffic) = &args.traffic {
        overrides.push(Override::flag("traffic", "traffic", traffic));
    }
    for set in &args.set {
        overrides.push(Override::parse_set(set)?);
    }
    Ok(overrides)
}

pub fn render(args: &RenderArgs) -> u8 {
    if let Err(error) = check_templates(args.templates.as_ref()) {
        eprintln!("error: {error}");
        return exit::INPUT_ERROR;
    }
    let source = match crate::input::read_file(&args.spec) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("{error}");
            return exit::INPUT_ERROR;
        }
    };
    let overrides = match overrides(args) {
        Ok(overrides) => overrides,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::INPUT_ERROR;
        }
    };
    let spec = match spec::parse(&source, &overrides) {
        Ok(spec) => spec,
        Err(errors) => {
            for error in errors {
                eprintln!("{error}");
            }
            return exit::INPUT_ERROR;
        }
    };
    let spec_folder = crate::config::folder_of(&args.spec);
    let config = match find_config(args.no_config, args.config.as_ref(), spec_folder.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return exit::INPUT_ERROR;
        }
    };
    let options = Options {
        templates: args.templates.clone(),
        config,
    };
    let rendered = match render::render(&spec, &options) {
        Ok(rendered) => rendered,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::INPUT_ERROR;
        }
    };
    // What render emits must lint clean: a finding (a team's template, a rule the spec
    // cannot satisfy) stops the output.
    let (workspace, diagnostics) = render::lint(&rendered, &options.config);
    if !diagnostics.is_empty() || !workspace.errors.is_empty() {
        let report = Report::new(
            &workspace,
            &diagnostics,
            crate::lint::Summary::new(&workspace, &diagnostics),
        );
        let mut stderr = std::io::stderr().lock();
        let _ = output::write(Format::Human, &report, &mut stderr, false);
        for error in &workspace.errors {
            let _ = writeln!(stderr, "{error}");
        }
        let _ = writeln!(
            stderr,
            "error: the rendered manifests do not lint clean; nothing was written"
        );
        return exit::FINDINGS;
    }
    for notice in &rendered.notices {
        eprintln!("notice: {notice}");
    }
    match &args.out {
        Some(dir) => match write_all(dir, &rendered.objects) {
            Ok(written) => {
                for path in &written.removed {
                    eprintln!("removed {} (no longer rendered)", path.display());
                }
                eprintln!("wrote {} files to {}", written.files.len(), dir.display());
                exit::CLEAN
            }
            Err(error) => {
                eprintln!("error: {error}");
                exit::INPUT_ERROR
            }
        },
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(rendered.stream().as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => exit::CLEAN,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::CLEAN,
                Err(e) => {
                    eprintln!("error: writing the manifests: {e}");
                    exit::INPUT_ERROR
                }
            }
        }
    }
}
