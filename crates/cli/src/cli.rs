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
    /// Accounts and API tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Which divisions below a county-or-higher 科协 have a 科协 of their own.
    Coverage(CoverageArgs),
    /// The official division tree.
    #[command(subcommand)]
    Divisions(DivisionsCommand),
    /// Import a spreadsheet (.xlsx, .xls, .csv): all of it or nothing.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export to .xlsx.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Organisations: columns 代码, 名称, 简称, 类型, 上级代码, 区划代码, 统一社会信用代码, 成立日期,
    /// 状态, 地址, 联系人, 联系电话, 备注 (matched by header, in any order).
    Orgs(ImportArgs),
    /// People (and their membership of --org): columns 姓名, 性别, 身份证号, 出生日期, 民族, 手机号,
    /// 电子邮箱, 工作单位, 部门, 职务, 职称, 学历, 学位, 学科, 政治面貌, 是否基层一线, 会员类型,
    /// 会员编号, 入会日期 (matched by header with common aliases, in any order).
    Persons(ImportPersonsArgs),
}

#[derive(Debug, Args)]
pub struct ImportPersonsArgs {
    pub file: std::path::PathBuf,
    /// The organisation that keeps the records and whose members they become (default: the
    /// only top-level organisation).
    #[arg(long)]
    pub org: Option<String>,
    #[arg(long)]
    pub dry_run: bool,
    /// Import the valid rows and report the others (default: any error writes nothing).
    #[arg(long)]
    pub skip_invalid: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub file: std::path::PathBuf,
    /// Check everything, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// An organisation and everything below it, in the import layout.
    Orgs(ExportOrgsArgs),
    /// The member ledger of an organisation and everything below it, masked.
    Persons(ExportPersonsArgs),
}

#[derive(Debug, Args)]
pub struct ExportPersonsArgs {
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub out: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportOrgsArgs {
    /// The code of the organisation at the top.
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// Write full phone numbers instead of masks (recorded in the audit trail).
    #[arg(long)]
    pub unmasked: bool,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// The 科协's code.
    #[arg(long)]
    pub org: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum DivisionsCommand {
    /// Reload the shipped division tree (new codes added, names updated, villages kept).
    Load(JsonFlag),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input and must be changed at first
    /// sign-in.
    Create(UserCreateArgs),
    /// Print a bearer token for API use (`Authorization: Bearer …`).
    Token(UserTokenArgs),
    /// Revoke an API token, given its id or the token itself.
    RevokeToken(RevokeTokenArgs),
    /// List accounts.
    List(JsonFlag),
    /// Lift a lock on an account before it runs out.
    Unlock(UsernameArg),
}

#[derive(Debug, Args)]
pub struct UserCreateArgs {
    #[arg(long)]
    pub username: String,
    /// org_admin, org_staff, org_viewer, member, system_admin, security_admin, audit_admin.
    #[arg(long)]
    pub role: String,
    /// The organisation's code (organisation roles).
    #[arg(long)]
    pub org: Option<String>,
    /// The person's number (member accounts).
    #[arg(long)]
    pub person: Option<i64>,
    /// Read the password from standard input (required: passwords never go on the command line).
    #[arg(long)]
    pub password_stdin: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UserTokenArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long, default_value_t = 30)]
    pub expires_days: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RevokeTokenArgs {
    /// The token's id (as printed with it) or the token.
    pub token: String,
}

#[derive(Debug, Args)]
pub struct UsernameArg {
    #[arg(long)]
    pub username: String,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the whole hash chain and name the first broken record.
    Verify(JsonFlag),
    /// Delete records older than a date (records younger than 180 days are always kept).
    Purge(PurgeArgs),
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Delete records before this day (YYYY-MM-DD).
    #[arg(long)]
    pub before: String,
    /// Confirm: purging cannot be undone.
    #[arg(long)]
    pub yes: bool,
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
