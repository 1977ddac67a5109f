//! `caseload contract …`: a payer contract, its rates as they change, its quality targets
//! (clap definitions only; the handlers are in `cli::contract`).

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Add a payer contract
    Add {
        /// The contract's name, as --contract will name it
        name: String,
        /// capitation (rate per member per month) or case-rate (rate per episode)
        #[arg(long)]
        model: String,
        /// The PMPM or per-episode rate, in dollars
        #[arg(long, allow_hyphen_values = true, value_name = "DOLLARS")]
        rate: String,
        /// Percent of gross the payer holds back until quality targets are met
        #[arg(
            long,
            default_value = "0",
            allow_hyphen_values = true,
            value_name = "PCT"
        )]
        withhold: String,
        /// first-of-month (a month counts when its 1st is attributed), mid-month (its 15th) or
        /// daily (the share of its days)
        #[arg(long, default_value = "first-of-month")]
        proration: String,
        /// The payer's name
        #[arg(long)]
        payer: Option<String>,
    },
    /// List contracts with their current rates
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Change a contract's rate from a date on; earlier months keep the rate they had
    Rate {
        /// The contract
        name: String,
        /// The new PMPM or per-episode rate, in dollars
        #[arg(long, allow_hyphen_values = true, value_name = "DOLLARS")]
        rate: String,
        /// The first day the new rate applies (a month uses the rate on its 1st; an episode
        /// the rate on its start day)
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Only for episodes whose diagnosis starts with this ICD-10 prefix (case rates;
        /// F32.2 and F322 are the same)
        #[arg(long, value_name = "PREFIX")]
        diagnosis: Option<String>,
    },
    /// Show one contract: model, proration, withhold, every rate (by diagnosis too), targets
    Show {
        /// The contract
        name: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Set (or, with --remove, drop) a quality target the withhold's earn-back depends on
    #[command(after_help = "\
Measures: seen_within_14, show_rate, contacted, measured, response, remission, \
reliable_improvement, followed_7, followed_30 (SPEC section 7's, among the contract's members). \
A target is met when n of N × 100 reaches the percentage; the withhold comes back in proportion \
to the weights met, of the weights whose measure has a non-empty denominator.")]
    Target {
        /// The contract
        name: String,
        /// The measure the target is on
        #[arg(long)]
        measure: String,
        /// The share to reach, in percent
        #[arg(long, value_name = "PCT", required_unless_present = "remove")]
        at_least: Option<String>,
        /// The target's weight in the earn-back, 1 to 100
        #[arg(long, default_value = "1")]
        weight: String,
        /// Drop the target on this measure
        #[arg(long, conflicts_with = "at_least")]
        remove: bool,
    },
}
