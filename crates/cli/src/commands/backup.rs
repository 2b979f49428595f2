//! `kexie backup`, `kexie backup verify`, `kexie restore`: one encrypted archive with the
//! database, the field-encryption key and a manifest (see `kexie_store::backup`).

use kexie_store::backup::{self, BackupError, Passphrase, Verification};
use kexie_store::{FieldCipher, Outcome, Store};

use crate::cli::{
    BackupArgs, BackupCommand, BackupVerifyArgs, Global, PassphraseArgs, RestoreArgs,
};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

const PASSPHRASE_ENV: &str = "KEXIE_BACKUP_PASSPHRASE";

fn failure(e: BackupError) -> Failure {
    match e {
        BackupError::Refused(m) => Failure::Input(m),
        BackupError::Damaged(m) | BackupError::Failed(m) => Failure::Runtime(m),
    }
}

/// The passphrase from `--passphrase-file` (its first line) or `KEXIE_BACKUP_PASSPHRASE`.
fn passphrase(args: &PassphraseArgs) -> Result<Passphrase, Failure> {
    let text = match &args.passphrase_file {
        Some(path) => {
            let raw = std::fs::read_to_string(path).map_err(|e| {
                Failure::Input(format!(
                    "无法读取口令文件 {} / cannot read the passphrase file: {e}",
                    path.display()
                ))
            })?;
            raw.lines().next().unwrap_or("").to_string()
        }
        None => std::env::var(PASSPHRASE_ENV).map_err(|_| {
            Failure::Input(format!(
                "请用 --passphrase-file 或环境变量 {PASSPHRASE_ENV} 给出备份口令 / give the backup passphrase with --passphrase-file or {PASSPHRASE_ENV}"
            ))
        })?,
    };
    Passphrase::new(text).map_err(failure)
}

pub async fn run(global: &Global, args: BackupArgs) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    if let Some(BackupCommand::Verify(verify_args)) = args.command {
        return verify(verify_args).await;
    }
    let Some(out) = args.out else {
        return Err(Failure::Input(
            "请用 --out 指定备份文件 / name the archive with --out".into(),
        ));
    };
    let passphrase = passphrase(&args.passphrase)?;
    let cipher = FieldCipher::load_existing(&config.data_dir)?.ok_or_else(|| {
        Failure::Input(format!(
            "找不到字段加密密钥（{}/field.key 或 KEXIE_FIELD_KEY），无法备份 / no field-encryption key (field.key in the data directory, or KEXIE_FIELD_KEY): nothing to back up",
            config.data_dir.display()
        ))
    })?;
    let created = backup::create(&config.database_url, &cipher, &out, &passphrase)
        .await
        .map_err(failure)?;
    let rows: u64 = created.manifest.tables.iter().map(|t| t.rows).sum();
    // A backup carries every record: it is recorded like an export, or not kept.
    let recorded = record(
        &config.database_url,
        cipher,
        "backup.create",
        &out.file_name().unwrap_or_default().to_string_lossy(),
        &format!(
            "tables={} rows={rows} schema={} bytes={}",
            created.manifest.tables.len(),
            created.manifest.schema_version,
            created.bytes
        ),
    )
    .await;
    if let Err(e) = recorded {
        let _ = std::fs::remove_file(&out);
        return Err(Failure::Runtime(format!(
            "无法写入审计记录，备份已删除 / cannot write the audit record, the archive was removed: {e}"
        )));
    }
    if args.json {
        return super::print_json(&created);
    }
    println!(
        "已写入备份 {}：{} 张表，{rows} 行，结构版本 {}，{} 字节 / backup written: {} tables, {rows} rows, schema version {}, {} bytes",
        out.display(),
        created.manifest.tables.len(),
        created.manifest.schema_version,
        created.bytes,
        created.manifest.tables.len(),
        created.manifest.schema_version,
        created.bytes
    );
    Ok(())
}

async fn verify(args: BackupVerifyArgs) -> CmdResult {
    let passphrase = passphrase(&args.passphrase)?;
    let checked = backup::verify(&args.file, &passphrase).await;
    let verification = match checked {
        Ok(v) => v,
        Err(e) => {
            if args.json {
                super::print_json(&serde_json::json!({ "ok": false, "error": e.to_string() }))?;
            }
            return Err(failure(e));
        }
    };
    if args.json {
        super::print_json(&verification)?;
    } else {
        print_verification(&verification);
    }
    if verification.ok {
        Ok(())
    } else {
        Err(Failure::Runtime(
            "备份未通过校验 / the archive fails verification".into(),
        ))
    }
}

fn print_verification(v: &Verification) {
    let rows: u64 = v.tables.iter().map(|t| t.rows).sum();
    for problem in &v.problems {
        println!("{problem}");
    }
    if v.ok {
        println!(
            "备份完好：{} 数据库，结构版本 {}，{} 张表，{rows} 行，{} 由 kexie {} 生成 / archive sound: {} database, schema version {}, {} tables, {rows} rows, made {} by kexie {}",
            v.backend,
            v.schema_version,
            v.tables.len(),
            v.created_at,
            v.kexie_version,
            v.backend,
            v.schema_version,
            v.tables.len(),
            v.created_at,
            v.kexie_version
        );
    }
}

pub async fn restore(global: &Global, args: RestoreArgs) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    if !args.yes {
        return Err(Failure::Input(
            "恢复会替换当前数据库，请加 --yes 确认 / restoring replaces the database: add --yes"
                .into(),
        ));
    }
    let passphrase = passphrase(&args.passphrase)?;
    super::ensure_dir(&config.data_dir)?;
    let restored = backup::restore(
        &args.file,
        &passphrase,
        &config.database_url,
        &config.data_dir,
        args.replace_key,
    )
    .await
    .map_err(failure)?;
    let cipher = FieldCipher::load_existing(&config.data_dir)?.ok_or_else(|| {
        Failure::Runtime("恢复后找不到字段加密密钥 / no field key after the restore".into())
    })?;
    let v = &restored.verification;
    let rows: u64 = v.tables.iter().map(|t| t.rows).sum();
    record(
        &config.database_url,
        cipher,
        "backup.restore",
        &args.file.file_name().unwrap_or_default().to_string_lossy(),
        &format!(
            "tables={} rows={rows} schema={} made={} key={}",
            v.tables.len(),
            v.schema_version,
            v.created_at,
            restored.key
        ),
    )
    .await
    .map_err(|e| {
        Failure::Runtime(format!(
            "已恢复，但无法写入审计记录 / restored, but the audit record could not be written: {e}"
        ))
    })?;
    if args.json {
        return super::print_json(&restored);
    }
    println!(
        "已恢复：{} 张表，{rows} 行，结构版本 {}，与清单一致；字段加密密钥：{} / restored: {} tables, {rows} rows, schema version {}, matching the manifest; field key: {}",
        v.tables.len(),
        v.schema_version,
        restored.key,
        v.tables.len(),
        v.schema_version,
        restored.key
    );
    Ok(())
}

/// Appends one audit record to the database without migrating it.
async fn record(
    url: &str,
    cipher: FieldCipher,
    action: &str,
    object: &str,
    detail: &str,
) -> Result<(), kexie_store::StoreError> {
    let store = Store::connect(url, cipher).await?;
    let result = store
        .audit(&super::operator(), action, object, Outcome::Ok, detail)
        .await;
    store.close().await;
    result
}
