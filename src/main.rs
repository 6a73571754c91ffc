//! The `storefleet` binary: parse arguments, load configuration, hand over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use storefleet::cli;
use storefleet::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "storefleet",
    version,
    about = "Provision isolated WooCommerce stores on Kubernetes"
)]
struct Args {
    /// Configuration file (default: ./storefleet.toml when it exists). Environment
    /// variables STOREFLEET_* override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API, the dashboard and the provisioning workers.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the effective configuration, secrets redacted.
    Config,
    /// Check the database, cluster, helm, charts, storage and ingress classes.
    Doctor,
    /// Print the OpenAPI document.
    Openapi,
    /// Fleet-wide rolling upgrades (carried out by the running server).
    Fleet {
        #[command(subcommand)]
        command: FleetCommand,
    },
}

#[derive(Debug, Subcommand)]
enum FleetCommand {
    /// Start upgrading every Ready store of an engine that runs an older chart or values.
    Upgrade {
        /// woocommerce or medusa.
        #[arg(long)]
        engine: String,
        /// How many stores are upgraded at once (1-50).
        #[arg(long, default_value_t = 1)]
        max_unavailable: i64,
        /// Halt after this many failed store upgrades (1-1000); failed stores are rolled back.
        #[arg(long, default_value_t = 1)]
        max_failures: i64,
    },
    /// List fleet upgrades, newest first.
    List,
    /// Show a fleet upgrade and each of its stores.
    Status { id: String },
    /// Pause a running fleet upgrade (stores being upgraded finish).
    Pause { id: String },
    /// Resume a paused fleet upgrade.
    Resume { id: String },
    /// Cancel a running or paused fleet upgrade (stores not started are skipped).
    Cancel { id: String },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user, or promote an existing one with --admin.
    Create {
        /// The user's email address.
        #[arg(long)]
        email: String,
        /// Make the user an administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input (otherwise a password
        /// is generated and printed once).
        #[arg(long)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Command::Openapi = args.command {
        return finish(cli::print_openapi());
    }
    let config = match Config::load(args.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("storefleet: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Command::Config = args.command {
        return finish(cli::print_config(&config));
    }
    cli::init_tracing(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("storefleet: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async move {
        match args.command {
            Command::Serve => cli::serve(config).await,
            Command::Migrate => cli::migrate(&config).await,
            Command::Doctor => cli::doctor(&config).await,
            Command::User {
                command:
                    UserCommand::Create {
                        email,
                        admin,
                        password_stdin,
                    },
            } => cli::user_create(&config, &email, admin, password_stdin).await,
            Command::Fleet { command } => {
                use storefleet::storage::RolloutAction;
                let command = match command {
                    FleetCommand::Upgrade {
                        engine,
                        max_unavailable,
                        max_failures,
                    } => cli::FleetCommand::Upgrade {
                        engine,
                        max_unavailable,
                        max_failures,
                    },
                    FleetCommand::List => cli::FleetCommand::List,
                    FleetCommand::Status { id } => cli::FleetCommand::Status(id),
                    FleetCommand::Pause { id } => {
                        cli::FleetCommand::Change(id, RolloutAction::Pause)
                    }
                    FleetCommand::Resume { id } => {
                        cli::FleetCommand::Change(id, RolloutAction::Resume)
                    }
                    FleetCommand::Cancel { id } => {
                        cli::FleetCommand::Change(id, RolloutAction::Cancel)
                    }
                };
                cli::fleet(config, command).await
            }
            Command::Config | Command::Openapi => Ok(()),
        }
    });
    finish(result)
}

fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("storefleet: {e:#}");
            ExitCode::from(1)
        }
    }
}
