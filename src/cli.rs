//! Command-line definitions (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;
use crate::severity::Severity;

#[derive(Parser, Debug)]
#[command(
    name = "zerodown",
    version,
    about = "Catch and prevent zero-downtime hazards in Kubernetes deploys",
    long_about = "zerodown lints Kubernetes manifests for what drops requests during a deploy: \
                  missing probes, unsafe rollout settings, broken traffic splits."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// In folder walks, also read what `.gitignore`, `.ignore` and git's exclude files
    /// ignore (by default they are honoured, as git and ripgrep do).
    #[arg(long, global = true)]
    pub no_ignore: bool,
}

/// The command line as completion sees it: the same definition, with the values an argument
/// accepts spelled out where the parser itself checks them later (rule ids for `explain`,
/// which answers an unknown id with its own "did you mean").
pub fn command_for_completion() -> clap::Command {
    use clap::CommandFactory;
    // Subcommands' arguments are deferred (`defer = true`: a lint parses without building
    // them), so the whole tree is built before `explain`'s argument can be reached. It is
    // replaced where it stands: `mut_subcommand` would move `explain` after `help`.
    let mut command = Cli::command();
    command.build();
    if let Some(explain) = command.find_subcommand_mut("explain") {
        *explain = std::mem::take(explain).mut_arg("rule", |rule| {
            rule.value_parser(clap::builder::PossibleValuesParser::new(
                crate::rules::all_ids(),
            ))
        });
    }
    command
}

#[derive(Subcommand, Debug)]
// Deferred: only the subcommand being run has its arguments built, which is a fifth of a
// small lint's start-up; `command_for_completion` builds the whole tree.
#[command(defer = true)]
pub enum Command {
    /// Lint manifests: files, folders (recursively, *.yaml and *.yml) or `-` for stdin.
    Lint(LintArgs),
    /// List every rule with its severity and summary.
    Rules,
    /// Print the documentation of one rule.
    Explain {
        /// A rule id, as `zerodown rules` lists them.
        rule: String,
    },
    /// The zero-downtime checklist for manifests (and migrations): each item passed, failed,
    /// unknown, or not checkable from files, with the rules and objects behind it.
    Checklist(ChecklistArgs),
    /// Print a shell completion script: `zerodown completions bash > /etc/bash_completion.d/zerodown`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `zerodown man > /usr/local/share/man/man1/zerodown.1`.
    Man,
    /// Write a commented app spec (`zerodown.yaml`) to start from.
    Init(InitArgs),
    /// Render an app spec into zero-downtime manifests (checked by lint before output).
    Render(RenderArgs),
    /// PostgreSQL migrations: lint them, or trace the locks they take on a real database.
    #[command(subcommand)]
    Migrate(MigrateCommand),
    /// Replay the rolling update of each Deployment (or Rollout, StatefulSet): a timeline of
    /// old and new pods, availability, surge cost and an estimated duration.
    Simulate(SimulateArgs),
    /// Flip blue-green traffic to the other colour: edits the manifests (Service selectors,
    /// Istio destination subsets, HTTPRoute backends) in place.
    Switch(SwitchArgs),
    /// Set the canary's traffic share: edits the manifests (ingress-nginx canary-weight,
    /// Istio route weights, HTTPRoute backendRef weights) in place.
    SetWeight(SetWeightArgs),
    /// Promote: the stable workload takes the canary's images and the weight returns to 0
    /// (blue-green: the standby becomes live). An edit of the manifests.
    Promote(PromoteArgs),
    /// Roll back: the canary's weight to 0, blue-green back to the other colour, or a plain
    /// workload's images back to what they were before the last commit that changed them
    /// (live: an Argo Rollout is aborted, a plain workload gets `kubectl rollout undo`).
    #[command(visible_alias = "abort")]
    Rollback(RollbackArgs),
}

// What every manifest edit takes. (A plain comment, not a doc comment: deferred clap applies a
// flattened struct's doc comment as the `about` of each subcommand it is flattened into.)
#[derive(Args, Debug)]
pub struct EditArgs {
    /// Files, folders or `-`… of manifests to edit (stdin cannot be edited). Default: the
    /// current folder.
    pub paths: Vec<PathBuf>,
    /// Print the diff, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Config file (rule levels for the re-lint); default: `.zerodown.yaml` found upward.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any `.zerodown.yaml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

// Moves against a cluster instead of files. (A plain comment, not a doc comment: deferred clap
// applies a flattened struct's doc comment as the `about` of each subcommand it is flattened
// into.)
#[derive(Args, Debug, Clone)]
pub struct LiveArgs {
    /// Read the current state from the cluster and patch it with kubectl (no file is read
    /// or written).
    #[arg(long)]
    pub live: bool,
    /// The kubeconfig context.
    #[arg(long, requires = "live")]
    pub context: Option<String>,
    /// The namespace (default: the context's).
    #[arg(long, requires = "live")]
    pub namespace: Option<String>,
    /// The kubectl to run.
    #[arg(long, default_value = "kubectl", value_name = "PATH")]
    pub kubectl: PathBuf,
    /// The workload or Argo Rollout to act on, when the namespace has more than one.
    #[arg(long, requires = "live")]
    pub name: Option<String>,
    /// After the move, watch until it is done (only the target's pods behind the Service,
    /// the rollout complete) or --timeout passes; exit 1 if it fails or times out.
    #[arg(long, requires = "live")]
    pub wait: bool,
    /// How long --wait (and `rollback --live`'s `kubectl rollout status`) waits: `90s`,
    /// `5m`, `1h`.
    #[arg(long, default_value = "5m", value_parser = humantime::parse_duration)]
    pub timeout: std::time::Duration,
}

impl LiveArgs {
    /// The namespace for objects that name none: `--namespace`, else `default`.
    pub fn default_namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }

    pub fn kubectl(&self) -> crate::ops::live::Kubectl {
        crate::ops::live::Kubectl {
            program: self.kubectl.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
        }
    }
}

#[derive(Args, Debug)]
pub struct SwitchArgs {
    /// The colour that gets the traffic (default: the other one).
    #[arg(long, value_name = "COLOUR")]
    pub to: Option<String>,
    /// Switch even when the target colour's workload is missing, smaller, or (live) not
    /// Ready.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub edit: EditArgs,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Args, Debug)]
pub struct SetWeightArgs {
    /// The canary's share in percent (0..100).
    #[arg(required_unless_present = "next")]
    pub weight: Option<u32>,
    /// Move to the next step of --plan above the current weight.
    #[arg(long, conflicts_with = "weight")]
    pub next: bool,
    /// The canary phases, in percent.
    #[arg(long, value_delimiter = ',', default_value = "10,50,100")]
    pub plan: Vec<u32>,
    #[command(flatten)]
    pub edit: EditArgs,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Args, Debug)]
pub struct RollbackArgs {
    /// Live, plain workloads: the revision `kubectl rollout undo` goes back to (default: the
    /// previous one).
    #[arg(long, requires = "live")]
    pub to_revision: Option<u64>,
    #[command(flatten)]
    pub edit: EditArgs,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Args, Debug)]
pub struct PromoteArgs {
    #[command(flatten)]
    pub edit: EditArgs,
    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Args, Debug)]
pub struct ChecklistArgs {
    /// Manifests: files, folders or `-` (stdin). Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// SQL migrations to check too (files or folders; the layout is detected).
    #[arg(long, value_name = "PATH")]
    pub migrations: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: ChecklistFormat,
    /// Config file; default: `.zerodown.yaml` found upward from the current folder.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any `.zerodown.yaml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ChecklistFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Files, folders or `-` (stdin). Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Only the workload with this name.
    #[arg(long)]
    pub name: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: HumanOrJson,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum MigrateCommand {
    /// Lint SQL migrations: `.sql` files, folders (recursively) or `-` for stdin.
    Lint(MigrateLintArgs),
    /// Run migrations on a scratch database and report each statement's locks, rewrites and
    /// duration (the server named by --database must be a dev or CI one).
    Trace(MigrateTraceArgs),
    /// Write the expand/contract migrations (and the deploy order) for a breaking change.
    #[command(subcommand)]
    Plan(PlanCommand),
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum PlanCommand {
    /// Rename a column: a new column kept in sync, backfilled, then the old one dropped.
    RenameColumn {
        table: String,
        column: String,
        new_name: String,
        #[command(flatten)]
        options: PlanOptions,
    },
    /// Change a column's type through a new column (named --new-name, default COLUMN_new).
    ChangeType {
        table: String,
        column: String,
        #[arg(value_name = "TYPE")]
        new_type: String,
        /// The new value from the old column (default: a cast).
        #[arg(long, value_name = "EXPR")]
        using: Option<String>,
        /// The old value from the new column, for the version that still reads it (default:
        /// a cast).
        #[arg(long, value_name = "EXPR")]
        back: Option<String>,
        /// The new column's name.
        #[arg(long, value_name = "NAME")]
        new_name: Option<String>,
        #[command(flatten)]
        options: PlanOptions,
    },
    /// Split a column into several: `--into "first_name text = split_part(name, ' ', 1)"`.
    SplitColumn {
        table: String,
        column: String,
        /// `NAME TYPE = EXPR` (EXPR in terms of the old column), at least twice.
        #[arg(long = "into", value_name = "NAME TYPE = EXPR", required = true)]
        into: Vec<String>,
        /// The old column from the new ones, for the version that still reads it.
        #[arg(long, value_name = "EXPR")]
        merge: String,
        #[command(flatten)]
        options: PlanOptions,
    },
    /// Make a nullable column NOT NULL, filling NULLs with --default.
    AddNotNull {
        table: String,
        column: String,
        /// What NULLs become, and the column's default from then on.
        #[arg(long, value_name = "EXPR")]
        default: String,
        #[command(flatten)]
        options: PlanOptions,
    },
    /// Drop a column once no version reads or writes it (a copy is kept for a rollback).
    DropColumn {
        table: String,
        column: String,
        /// For a NOT NULL column: the value rows get once the new version stops writing it.
        #[arg(long, value_name = "EXPR")]
        default: Option<String>,
        #[command(flatten)]
        options: PlanOptions,
    },
}

// Options every plan kind takes. (A plain comment, not a doc comment: deferred clap applies a
// flattened struct's doc comment as the `about` of each subcommand it is flattened into.)
#[derive(Args, Debug, Clone)]
pub struct PlanOptions {
    /// Write the migrations into this folder (atomically); without it they are printed.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The runner's layout.
    #[arg(long, value_enum, default_value = "golang-migrate")]
    pub layout: crate::sql::layout::Layout,
    /// Replace files that exist.
    #[arg(long)]
    pub force: bool,
    /// The column's current type (default: read from --database, or from the migrations
    /// already in --out).
    #[arg(long = "type", value_name = "TYPE")]
    pub column_type: Option<String>,
    /// The column is NOT NULL now.
    #[arg(long, conflicts_with = "nullable")]
    pub not_null: bool,
    /// The column is nullable now.
    #[arg(long)]
    pub nullable: bool,
    /// Read the column's type and nullability from this database (read only).
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// The primary key column the backfill walks.
    #[arg(long, default_value = "id")]
    pub key: String,
    /// Rows per backfill batch (each batch commits).
    #[arg(long, default_value_t = 10_000)]
    pub batch_size: u64,
    /// Pause between backfill batches, in milliseconds.
    #[arg(long, default_value_t = 100)]
    pub pause_ms: u64,
    /// The lock_timeout every step sets.
    #[arg(long, default_value = "2s")]
    pub lock_timeout: String,
    /// The first migration's version (default: one past the highest in --out, else the
    /// current UTC time as YYYYMMDDHHMMSS).
    #[arg(long, value_name = "N")]
    pub version: Option<u64>,
    /// Output format of the plan.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: HumanOrJson,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HumanOrJson {
    Human,
    Json,
}

// How migrations are read: shared by `migrate lint` and `migrate trace`. (A plain comment, not a
// doc comment: deferred clap applies a flattened struct's doc comment as the `about` of each
// subcommand it is flattened into.)
#[derive(Args, Debug, Clone)]
pub struct MigrationArgs {
    /// Files, folders or `-` (stdin). Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Read every file as this layout instead of detecting it.
    #[arg(long, value_enum)]
    pub layout: Option<crate::sql::layout::Layout>,
    /// Assume the runner wraps each migration in a transaction.
    #[arg(long, conflicts_with = "no_assume_in_transaction")]
    pub assume_in_transaction: bool,
    /// Assume the runner does not wrap migrations in a transaction.
    #[arg(long)]
    pub no_assume_in_transaction: bool,
}

impl MigrationArgs {
    pub fn options(&self) -> crate::sql::Options {
        crate::sql::Options {
            layout: self.layout,
            assume_in_transaction: if self.assume_in_transaction {
                Some(true)
            } else if self.no_assume_in_transaction {
                Some(false)
            } else {
                None
            },
        }
    }
}

// Output and config options shared by the commands that report findings. (A plain comment, not a
// doc comment: deferred clap applies a flattened struct's doc comment as the `about` of each
// subcommand it is flattened into.)
#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "human")]
    pub format: Format,
    /// Exit with 1 when a finding has this severity or a higher one.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Config file; default: `.zerodown.yaml` found upward from the current folder.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any `.zerodown.yaml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// When to colour the human output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Args, Debug)]
pub struct MigrateLintArgs {
    #[command(flatten)]
    pub migrations: MigrationArgs,
    /// A PostgreSQL URL (`postgres://user@host/db`): read table sizes and constraints, so a
    /// lock on a small table is info and on a large one an error. Read only.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// Above this many rows (or 1 GiB) a lock or rewrite is an error (with --database).
    #[arg(long, default_value_t = 1_000_000, value_name = "ROWS")]
    pub large_table_rows: u64,
    /// At or below this many rows a lock or rewrite is info (with --database).
    #[arg(long, default_value_t = 10_000, value_name = "ROWS")]
    pub small_table_rows: u64,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug)]
pub struct MigrateTraceArgs {
    #[command(flatten)]
    pub migrations: MigrationArgs,
    /// The server to trace on (`postgres://user@host/db`): a scratch database is created
    /// there and dropped afterwards; no existing database is touched.
    #[arg(long, value_name = "URL")]
    pub database: String,
    /// Start from this schema (e.g. `pg_dump --schema-only` output) instead of applying the
    /// folder's earlier migrations.
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Where to write the spec.
    #[arg(default_value = "zerodown.yaml")]
    pub path: PathBuf,
    /// The app's name (default: the current folder's name).
    #[arg(long)]
    pub name: Option<String>,
    /// The namespace to deploy into.
    #[arg(long, default_value = "default")]
    pub namespace: String,
    /// The image, with a tag or digest (default: `registry.example.com/NAME:1.0.0`).
    #[arg(long)]
    pub image: Option<String>,
    /// rolling, blue-green, canary or ab.
    #[arg(long, default_value = "rolling")]
    pub strategy: String,
    /// gateway, istio, nginx or argo-rollouts.
    #[arg(long, default_value = "gateway")]
    pub traffic: String,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
    /// A folder whose `zerodown.yaml.j2` replaces the built-in one.
    #[arg(long)]
    pub templates: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// The app spec.
    #[arg(default_value = "zerodown.yaml")]
    pub spec: PathBuf,
    /// Write one file per object into this folder (atomically) instead of printing a stream.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Override a spec value: `--set canary.weight=25` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Override the spec's strategy: rolling, blue-green, canary or ab.
    #[arg(long)]
    pub strategy: Option<String>,
    /// Override the spec's traffic layer: gateway, istio, nginx or argo-rollouts.
    #[arg(long)]
    pub traffic: Option<String>,
    /// A folder of templates that replace the built-in ones of the same name.
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Config file (for `kubernetesVersion` and rule levels); default: `.zerodown.yaml`
    /// found upward from the spec's folder.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any `.zerodown.yaml`.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files, folders or `-` (stdin). Default: the current folder.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    pub fn threshold(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
