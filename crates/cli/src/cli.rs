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
    /// In-process timings over the province-scale demo data (see docs/benchmarks.md).
    #[command(hide = true)]
    Bench(BenchArgs),
    /// The official division tree.
    #[command(subcommand)]
    Divisions(DivisionsCommand),
    /// Import a spreadsheet (.xlsx, .xls, .csv): all of it or nothing.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export to .xlsx.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Work-plan supervision (督查督办): deadline phrases, the daily reminders, a plan's figures.
    #[command(subcommand)]
    Workplan(WorkplanCommand),
    /// Society governance (学会治理): slate pre-review against the governance rules.
    #[command(subcommand)]
    Governance(GovernanceCommand),
    /// Back up the database and the field-encryption key into one encrypted archive
    /// (`backup verify FILE` checks one without restoring).
    Backup(BackupArgs),
    /// Restore a backup into the configured database (SQLite: replaces it; PostgreSQL: into an
    /// empty database), with its field-encryption key.
    Restore(RestoreArgs),
    /// The full-text search index (`<data-dir>/search/`, derived from the database).
    #[command(subcommand)]
    Search(SearchCommand),
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: Option<BackupCommand>,
    /// The archive to write (an existing file is not overwritten).
    #[arg(long, required = true)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Check an archive without restoring it: header, passphrase, authentication, manifest and
    /// every table's row count and hash. Exits 0 when it is sound, 1 when it is not.
    Verify(BackupVerifyArgs),
}

#[derive(Debug, Args)]
pub struct BackupVerifyArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[arg(long)]
    pub json: bool,
}

/// The archive's passphrase: from a file, or from KEXIE_BACKUP_PASSPHRASE; never on the command
/// line, where other users of the machine could read it.
#[derive(Debug, Args)]
pub struct PassphraseArgs {
    /// Read the passphrase (at least 12 characters) from this file's first line (default: the
    /// KEXIE_BACKUP_PASSPHRASE environment variable).
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    pub file: PathBuf,
    /// Confirm: the configured database is replaced by the archive's.
    #[arg(long)]
    pub yes: bool,
    /// Replace a different field.key already in the data directory with the archive's.
    #[arg(long)]
    pub replace_key: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the index from the database (stop the server first: it holds the index).
    Reindex(JsonFlag),
    /// Apply the changes logged since the index was last updated, as the server does by itself.
    Update(JsonFlag),
}

#[derive(Debug, Subcommand)]
pub enum GovernanceCommand {
    /// Pre-review a slate (换届前置审核): columns 姓名, 性别, 出生日期, 职务, 是否基层一线, 政治面貌,
    /// 是否专职, 工作单位, 是否在职领导干部, 是否退休领导干部, 产生方式 (in any order). Exits 0
    /// whether or not the slate complies; 2 for an unreadable file or rows with errors.
    Check(GovernanceCheckArgs),
}

#[derive(Debug, Args)]
pub struct GovernanceCheckArgs {
    /// The slate: .xlsx, .xls or .csv.
    pub file: std::path::PathBuf,
    /// Individual members of the society (sets the council-size cap).
    #[arg(long)]
    pub individual_members: u64,
    /// Council size of the previous term.
    #[arg(long)]
    pub previous_council_size: Option<u32>,
    /// Growth of individual membership last year, in percent.
    #[arg(long = "member-growth")]
    pub member_growth: Option<f64>,
    /// The day of the check, YYYY-MM-DD (default: today in Beijing).
    #[arg(long)]
    pub as_of: Option<String>,
    /// The society's code: use the rules that apply to it and record the check.
    #[arg(long)]
    pub org: Option<String>,
    /// Also write the review to FILE.docx (Word) or FILE.xlsx.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    #[arg(long)]
    pub json: bool,
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
    /// A work plan issued by --org: pasted text (.txt, the layout of a task breakdown table or of
    /// a prose plan) or a table (.xlsx/.xls/.csv with 序号, 任务, 具体措施, 完成时限, 牵头领导,
    /// 责任部门).
    Plan(ImportPlanArgs),
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
pub struct BenchArgs {
    #[arg(long, default_value_t = 200)]
    pub iterations: usize,
    /// Instead of timing, write a synthetic people sheet for the import benchmarks.
    #[command(flatten)]
    pub people_file: PeopleFileArgs,
}

#[derive(Debug, Args)]
pub struct PeopleFileArgs {
    /// Write this many synthetic people to --out (.csv or .xlsx) and stop.
    #[arg(long, default_value_t = 0)]
    pub rows: usize,
    #[arg(long, default_value = "people.csv")]
    pub out: std::path::PathBuf,
    #[arg(long, default_value_t = 11)]
    pub seed: u64,
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
    /// One province at real size: ~50,000 organisations, 1,000,000 people, 2,000,000 memberships.
    Province,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value = "small")]
    pub scale: Scale,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = 2017)]
    pub seed: u64,
    /// Scale the province's counts (0.1 for the quick benchmark).
    #[arg(long, default_value_t = 1.0, hide = true)]
    pub fraction: f64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration file (kexie.toml).
    Example,
}

#[derive(Debug, Args)]
pub struct ImportPlanArgs {
    pub file: std::path::PathBuf,
    /// The issuing organisation's code.
    #[arg(long)]
    pub org: String,
    /// The plan's title (default: the file name).
    #[arg(long)]
    pub title: Option<String>,
    /// The plan's year, for deadlines written without one (default: the issue date's year, else
    /// the earliest year the file names).
    #[arg(long)]
    pub year: Option<i32>,
    /// 文号.
    #[arg(long)]
    pub doc_number: Option<String>,
    /// Issue date (YYYY-MM-DD).
    #[arg(long)]
    pub issued_on: Option<String>,
    /// The number of the higher plan this one carries out.
    #[arg(long)]
    pub implements: Option<i64>,
    /// Read and check everything, write nothing (with --json: print what was read).
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum WorkplanCommand {
    /// Read a deadline phrase ("2017年10月底前", "每年坚持(2017年取得阶段性成果)").
    ParseDeadline(ParseDeadlineArgs),
    /// Mark open tasks whose date has passed overdue and write the day's reminders (for cron;
    /// the web runs it once a day by itself).
    Remind(RemindArgs),
    /// A plan's supervision figures: status counts, overdue, due within 30 days, not reported.
    Supervise(SuperviseArgs),
}

#[derive(Debug, Args)]
pub struct ParseDeadlineArgs {
    pub text: String,
    /// The plan's year, for dates written without one ("6月底前").
    #[arg(long)]
    pub plan_year: Option<i32>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    /// The day to run for (YYYY-MM-DD; default: today in Beijing).
    #[arg(long)]
    pub today: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SuperviseArgs {
    /// The plan's number.
    #[arg(long)]
    pub plan: i64,
    /// The day to judge by (YYYY-MM-DD; default: today in Beijing).
    #[arg(long)]
    pub today: Option<String>,
    #[arg(long)]
    pub json: bool,
}
