//! `kexie user …`: accounts and API tokens from the machine itself.

use std::io::Read;

use kexie_domain::password::check_password;
use kexie_domain::role::Role;
use kexie_store::{NewAccount, Scope};
use serde_json::json;

use crate::cli::{Global, UserCommand};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

pub async fn run(global: &Global, cmd: UserCommand) -> CmdResult {
    let config = Config::load(global, None)?;
    super::init_logging("warn");
    let store = super::open_store(&config).await?;
    let actor = super::operator();
    let scope = Scope::everything().acting_as(actor.clone());
    let result = match cmd {
        UserCommand::Create(args) => {
            let role = Role::parse(&args.role).ok_or_else(|| {
                Failure::Input(format!(
                    "未知角色 {} / unknown role (org_admin, org_staff, org_viewer, member, system_admin, security_admin, audit_admin)",
                    args.role
                ))
            })?;
            if !args.password_stdin {
                return Err(Failure::Input(
                    "请用 --password-stdin 从标准输入提供密码 / give the password on standard input with --password-stdin".into(),
                ));
            }
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .map_err(|e| Failure::Runtime(format!("stdin: {e}")))?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            check_password(&password, &args.username).map_err(|e| Failure::Input(e.to_string()))?;
            let org_id = match &args.org {
                Some(code) => Some(
                    store
                        .org_by_code(&scope, code)
                        .await
                        .map_err(|_| {
                            Failure::Input(format!(
                                "没有代码为 {code} 的组织 / no organisation with code {code}"
                            ))
                        })?
                        .org_id,
                ),
                None => None,
            };
            let account = store
                .create_account(
                    &scope,
                    &NewAccount {
                        username: args.username.clone(),
                        display_name: None,
                        role,
                        org_id,
                        person_id: args.person,
                        password,
                        must_change_password: true,
                    },
                )
                .await?;
            if args.json {
                super::print_json(&account)
            } else {
                println!(
                    "账号已创建 / account created: {} ({}){}",
                    account.username,
                    role.zh_name(),
                    account
                        .org_name
                        .map(|o| format!(" @ {o}"))
                        .unwrap_or_default()
                );
                Ok(())
            }
        }
        UserCommand::Token(args) => {
            let account = store
                .account_by_username(&args.username)
                .await
                .map_err(|_| {
                    Failure::Input(format!(
                        "没有账号 {} / no account {}",
                        args.username, args.username
                    ))
                })?;
            let (token_id, token) = store
                .create_token(account.account_id, "cli", args.expires_days, &actor)
                .await?;
            if args.json {
                super::print_json(
                    &json!({"token_id": token_id, "token": token, "expires_days": args.expires_days}),
                )
            } else {
                println!("{token}");
                eprintln!(
                    "令牌编号 / token id {token_id}; 有效 {} 天 / valid {} days",
                    args.expires_days, args.expires_days
                );
                Ok(())
            }
        }
        UserCommand::RevokeToken(args) => {
            store
                .revoke_token(&args.token, &actor)
                .await
                .map_err(|e| match e {
                    kexie_store::StoreError::NotFound => {
                        Failure::Input("没有这个有效令牌 / no such live token".into())
                    }
                    other => other.into(),
                })?;
            println!("令牌已吊销 / token revoked");
            Ok(())
        }
        UserCommand::List(args) => {
            let accounts = store.list_accounts(None).await?;
            if args.json {
                super::print_json(&accounts)
            } else {
                for a in accounts {
                    println!(
                        "{:<24} {:<15} {}{}",
                        a.username,
                        a.role.code(),
                        a.org_name.unwrap_or_default(),
                        if a.disabled { " [disabled]" } else { "" }
                    );
                }
                Ok(())
            }
        }
        UserCommand::Unlock(args) => {
            let account = store
                .account_by_username(&args.username)
                .await
                .map_err(|_| {
                    Failure::Input(format!(
                        "没有账号 {} / no account {}",
                        args.username, args.username
                    ))
                })?;
            store.unlock_account(account.account_id, &actor).await?;
            println!("已解锁 / unlocked: {}", account.username);
            Ok(())
        }
    };
    store.close().await;
    result
}
