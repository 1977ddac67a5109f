//! `caseload config get|set|list`: the practice's shared flag intervals.

use super::args::ConfigCommand;
use super::table::Table;
use super::{Context, print_json};
use crate::domain::access::Action;
use crate::error::Result;
use crate::store::settings;
use serde::Serialize;

#[derive(Serialize)]
struct SettingJson {
    key: String,
    value: String,
    meaning: &'static str,
}

pub fn run(ctx: &mut Context, command: ConfigCommand) -> Result<()> {
    match command {
        ConfigCommand::Get { key } => {
            outln!("{}", ctx.store.read(|c| settings::get(c, &key))?);
            Ok(())
        }
        ConfigCommand::Set { key, value } => {
            ctx.require(Action::ManageSettings, None)?;
            let stored = ctx.store.write(|tx| settings::set(tx, &key, &value))?;
            outln!("{key} = {stored}");
            Ok(())
        }
        ConfigCommand::List { json } => {
            let all = ctx.store.read(|c| settings::list(c))?;
            if json {
                let rows: Vec<SettingJson> = all
                    .into_iter()
                    .map(|(key, value, meaning)| SettingJson {
                        key,
                        value,
                        meaning,
                    })
                    .collect();
                return print_json(&rows);
            }
            let mut table = Table::new(&["key", ">value", "meaning"]);
            for (key, value, meaning) in all {
                table.row(vec![key, value, meaning.to_string()]);
            }
            table.print()?;
            Ok(())
        }
    }
}
