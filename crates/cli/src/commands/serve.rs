//! `kexie serve`: the web server.

use kexie_web::{AppState, Settings};

use crate::cli::{Global, ServeArgs};
use crate::config::Config;
use crate::failure::{CmdResult, Failure};

/// How often the reminder loop runs (overdue status, in-app reminders, reminder mail).
const REMINDERS_EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// How often the search feed looks for new changes: writes show in search within a second.
const SEARCH_FEED_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

pub async fn run(global: &Global, args: ServeArgs) -> CmdResult {
    let config = Config::load(global, args.addr.as_deref())?;
    super::init_logging(&config.log_level);
    let store = super::open_store(&config).await?;
    if args.demo && store.is_empty().await? {
        println!("正在载入演示数据… / loading demo data…");
        let summary = store.load_demo_small(2017).await?;
        println!(
            "演示数据：{} 个组织，{} 名科技工作者 / demo data: {} organisations, {} people",
            summary.orgs, summary.persons, summary.orgs, summary.persons
        );
    }
    let demo_accounts = if args.demo {
        store.reset_demo_accounts().await?
    } else {
        Vec::new()
    };
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| {
            Failure::Runtime(format!(
                "无法监听 {} / cannot listen on {}: {e}",
                config.addr, config.addr
            ))
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    println!("Kexie 已启动 / Kexie is running: http://{address}");
    println!("数据库 / database: {}", config.database_display());
    if !demo_accounts.is_empty() {
        println!();
        println!("演示账号（密码仅本次启动有效，每次启动重新生成） / demo accounts (new passwords at every start):");
        for a in &demo_accounts {
            println!(
                "  {:<16} {:<22} {:<15} {}",
                a.username,
                a.password,
                a.role,
                a.org.clone().unwrap_or_default()
            );
        }
        println!();
    }
    // The node's own index: built in the background if new, then fed from the change log.
    let index = super::search::open_index(&config.data_dir)?;
    let feed = index.spawn_feed(store.clone(), SEARCH_FEED_EVERY);
    let mailer = match &config.smtp {
        Some(smtp) => Some(kexie_web::reminders::Mailer::new(smtp).map_err(Failure::Input)?),
        None => None,
    };
    let reminders = kexie_web::reminders::spawn_reminders(store.clone(), mailer, REMINDERS_EVERY);
    let state = AppState::new(
        store.clone(),
        Settings {
            demo: args.demo,
            secure_cookies: config.secure_cookies,
            policy: config.policy,
            trust_proxy: config.trust_proxy,
            require_totp_for_administrators: config.require_totp_for_administrators,
        },
    )
    .with_search(index);
    kexie_web::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| Failure::Runtime(format!("服务器错误 / server error: {e}")))?;
    drop(feed);
    drop(reminders);
    store.close().await;
    println!("Kexie 已停止 / Kexie stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
