//! The command line. Names here are contracts other work and checks rely on.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "kexie",
    version,
    about = "科协工作平台 / Kexie, the work platform for science and technology associations"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Data directory: the SQLite database, the field-encryption key, kexie.toml.
    #[arg(
        long,
        global = true,
        env = "KEXIE_DATA_DIR",
        default_value = "./kexie-data"
    )]
    pub data_dir: PathBuf,
    /// Database: sqlite://… or postgres://… (default: SQLite file in the data directory).
    #[arg(long, global = true, env = "KEXIE_DATABASE_URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server.
    Serve(ServeArgs),
    /// Apply database migrations (and load the division tree into a new database).
    Migrate(JsonFlag),
    /// Load the demo data set into an empty database.
    Demo(DemoArgs),
    /// Configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub addr: Option<String>,
    /// Load the demo data set on first start.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print one JSON document on stdout, nothing else.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Scale {
    /// One province's real division tree, its 科协, a dozen societies, a few hundred people.
    Small,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value = "small")]
    pub scale: Scale,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 2017)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration file (kexie.toml).
    Example,
}
