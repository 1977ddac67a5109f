//! The new-client form of the Panel (`n`): name, tier, primary clinician and contract, checked
//! as `caseload client add` checks them. Nothing is written here; `update` stores the
//! submission through `store::clients::add`, the function the command line uses.

use super::{Field, FieldId, FieldKind, Form, FormKind, Submission};
use crate::domain::{ClientId, ClinicianId, Tier, validate};
use chrono::NaiveDate;
use std::borrow::Cow;

/// The clinician choice meaning "no primary clinician".
pub const NO_CLINICIAN: &str = "(none)";
/// The contract choice meaning "not attributed to a contract".
pub const NO_CONTRACT: &str = "(none)";

/// A valid new client: names of the clinician and contract as chosen (`None`: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClientEntry {
    pub name: String,
    pub tier: Tier,
    pub clinician: Option<String>,
    pub contract: Option<String>,
}

impl Form {
    /// The practice's clinicians and contracts to choose from. The clinician starts on the
    /// one signed in (else the practice's only one), as `client add` defaults; the contract on
    /// the practice's only one, else none.
    pub fn new_client(
        clinicians: &[(ClinicianId, String)],
        viewer: Option<ClinicianId>,
        contracts: &[String],
        today: NaiveDate,
    ) -> Form {
        let tiers = super::words(Tier::ALL, Tier::as_str);
        let moderate = Tier::ALL.iter().position(|t| *t == Tier::Moderate);
        let mut who: Vec<Cow<'static, str>> = clinicians
            .iter()
            .map(|(_, name)| Cow::Owned(crate::domain::text::sanitize(name)))
            .collect();
        let chosen = viewer
            .and_then(|v| clinicians.iter().position(|(id, _)| *id == v))
            .or((clinicians.len() == 1).then_some(0))
            .unwrap_or(clinicians.len());
        who.push(Cow::Borrowed(NO_CLINICIAN));
        let mut plans: Vec<Cow<'static, str>> = vec![Cow::Borrowed(NO_CONTRACT)];
        plans.extend(
            contracts
                .iter()
                .map(|c| Cow::Owned(crate::domain::text::sanitize(c))),
        );
        let fields = vec![
            Field::text(FieldId::Name, "", validate::NAME_MAX_CHARS, "full name"),
            Field::choice(FieldId::Tier, tiers, moderate.unwrap_or(0)),
            Field {
                kind: FieldKind::Choice(who),
                choice: chosen,
                ..Field::choice(FieldId::Clinician, Vec::new(), 0)
            },
            Field {
                kind: FieldKind::Choice(plans),
                choice: usize::from(contracts.len() == 1),
                ..Field::choice(FieldId::Contract, Vec::new(), 0)
            },
        ];
        Form::new(
            FormKind::NewClient,
            ClientId(0),
            "the panel, from today".into(),
            fields,
            today,
        )
    }

    pub(super) fn new_client_submission(&self) -> Result<Submission, String> {
        let name =
            validate::name("client name", &self.value(FieldId::Name)).map_err(|e| e.to_string())?;
        let tier: Tier = self
            .value(FieldId::Tier)
            .parse()
            .map_err(|e: crate::error::Error| e.to_string())?;
        // Stored names hold no control character (they are refused on entry), so the name on
        // screen is the stored one.
        let chosen = |id: FieldId, none: &str| Some(self.value(id)).filter(|c| c != none);
        Ok(Submission::NewClient(NewClientEntry {
            name,
            tier,
            clinician: chosen(FieldId::Clinician, NO_CLINICIAN),
            contract: chosen(FieldId::Contract, NO_CONTRACT),
        }))
    }
}
