//! `kexie config example`.

use crate::cli::ConfigCommand;
use crate::failure::CmdResult;

pub fn run(cmd: ConfigCommand) -> CmdResult {
    match cmd {
        ConfigCommand::Example => {
            print!("{}", crate::config::EXAMPLE);
            Ok(())
        }
    }
}
