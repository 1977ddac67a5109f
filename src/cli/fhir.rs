//! `export --fhir FILE`: the practice as a FHIR R4 Bundle of type `collection` (SPEC section
//! 16) for an EHR — a Patient per client, an Encounter per encounter, an Observation per
//! measurement and a Coverage per attribution; voided records are left out. The few resources
//! are serde structs of our own (a full FHIR crate is heavy); the bundle is written one entry at
//! a time, so a large practice never sits in memory whole. Codes are named where they are used.

use crate::domain::{
    Attribution, Client, Contract, Encounter, EncounterKind, EncounterStatus, Instrument,
    Measurement,
};
use crate::error::{Error, Result};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::Write;

/// caseload's own identifier and code systems (URNs: nothing to resolve on a network).
pub const CLIENT_SYSTEM: &str = "urn:caseload:client-id";
pub const MEMBER_SYSTEM: &str = "urn:caseload:payer-member-id";
pub const INSTRUMENT_SYSTEM: &str = "urn:caseload:instrument";
pub const CANCELLATION_EXTENSION: &str = "urn:caseload:fhir:cancellation-reason";
const LOINC: &str = "http://loinc.org";

/// The entry's full URL and the reference other resources use: `urn:uuid:` with a UUID derived
/// from the resource type and caseload's id (the same on every export).
pub fn urn(resource: &str, id: i64) -> String {
    use blake2::{Blake2b, Digest, digest::consts::U16};
    let digest = Blake2b::<U16>::digest(format!("caseload {resource} {id}").as_bytes());
    let mut b: [u8; 16] = digest.into();
    b[6] = (b[6] & 0x0f) | 0x40; // version 4 layout (random-looking, not time-based)
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[derive(Serialize)]
struct Entry<'a> {
    #[serde(rename = "fullUrl")]
    full_url: String,
    resource: &'a Value,
}

fn patient(c: &Client) -> Value {
    let mut identifier = vec![json!({"system": CLIENT_SYSTEM, "value": c.id.0.to_string()})];
    if let Some(ext) = &c.external_id {
        identifier.push(json!({
            "use": "secondary",
            "type": {"text": "payer member id"},
            "system": MEMBER_SYSTEM,
            "value": ext
        }));
    }
    let mut parts: Vec<&str> = c.name.split_whitespace().collect();
    let family = parts.pop().unwrap_or_default();
    let mut p = json!({
        "resourceType": "Patient",
        "id": format!("client-{}", c.id.0),
        "identifier": identifier,
        "active": c.status == crate::domain::ClientStatus::Active,
        "name": [{"text": c.name, "family": family, "given": parts}],
    });
    if let Some(dob) = c.dob {
        p["birthDate"] = json!(dob.to_string());
    }
    p
}

/// FHIR Encounter.class (v3 ActCode): VR for a contact at a distance, AMB otherwise.
fn class(kind: EncounterKind) -> Value {
    let (code, display) = match kind {
        EncounterKind::Telehealth | EncounterKind::Phone => ("VR", "virtual"),
        _ => ("AMB", "ambulatory"),
    };
    json!({"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": code, "display": display})
}

fn encounter(e: &Encounter) -> Value {
    // caseload's completed → finished; a no-show or a cancellation → cancelled, with which.
    let status = match e.status {
        EncounterStatus::Completed => "finished",
        EncounterStatus::NoShow | EncounterStatus::Cancelled => "cancelled",
    };
    let mut r = json!({
        "resourceType": "Encounter",
        "id": format!("encounter-{}", e.id.0),
        "status": status,
        "class": class(e.kind),
        "type": [{"text": e.kind.as_str()}],
        "subject": {"reference": urn("Patient", e.client_id.0)},
        "participant": [{"individual": {"display": e.clinician}}],
        "period": {"start": e.date.to_string(), "end": e.date.to_string()},
        "length": {"value": e.minutes, "unit": "min", "system": "http://unitsofmeasure.org", "code": "min"},
    });
    if e.status != EncounterStatus::Completed {
        r["extension"] = json!([{"url": CANCELLATION_EXTENSION, "valueString": e.status.as_str()}]);
    }
    r
}

/// The code of an instrument's total: LOINC where one exists, caseload's own otherwise.
fn total_code(instrument: Instrument) -> Value {
    let def = instrument.def();
    match instrument {
        // LOINC 44261-6: "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]".
        Instrument::Phq9 => {
            json!({"system": LOINC, "code": "44261-6", "display": "PHQ-9 total score [Reported]"})
        }
        // LOINC 70274-6: "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]".
        Instrument::Gad7 => {
            json!({"system": LOINC, "code": "70274-6", "display": "GAD-7 total score [Reported.PHQ]"})
        }
        // LOINC 75626-2: "Total score [AUDIT-C]" (as US Core's screening examples use it).
        Instrument::AuditC => {
            json!({"system": LOINC, "code": "75626-2", "display": "Total score [AUDIT-C]"})
        }
        // PCL-5, ORS and SRS: caseload's own code (no LOINC code is asserted here).
        _ => {
            json!({"system": INSTRUMENT_SYSTEM, "code": format!("{}-total", instrument.as_str()), "display": format!("{} total score", def.name)})
        }
    }
}

fn observation(m: &Measurement) -> Value {
    let def = m.instrument.def();
    let mut r = json!({
        "resourceType": "Observation",
        "id": format!("measurement-{}", m.id.0),
        "status": "final",
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey"
        }]}],
        "code": {"coding": [total_code(m.instrument)], "text": format!("{} total", def.name)},
        "subject": {"reference": urn("Patient", m.client_id.0)},
        "effectiveDateTime": m.date.to_string(),
        "valueInteger": m.total,
    });
    if let Some(items) = &m.items {
        let components: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                json!({
                    "code": {"coding": [{
                        "system": INSTRUMENT_SYSTEM,
                        "code": format!("{}-item-{}", m.instrument.as_str(), i + 1),
                    }], "text": format!("{} item {}", def.name, i + 1)},
                    "valueInteger": v
                })
            })
            .collect();
        r["component"] = json!(components);
    }
    r
}

fn coverage(a: &Attribution, contract: Option<&Contract>) -> Value {
    let payor = contract
        .and_then(|c| c.payer.clone())
        .unwrap_or_else(|| a.contract.clone());
    let mut period = json!({"start": a.start.to_string()});
    if let Some(end) = a.end {
        period["end"] = json!(end.to_string());
    }
    json!({
        "resourceType": "Coverage",
        "id": format!("attribution-{}", a.id.0),
        "status": "active",
        "type": {"text": contract.map_or("contract".to_string(), |c| format!("{} contract", c.model))},
        "beneficiary": {"reference": urn("Patient", a.client_id.0)},
        "payor": [{"display": payor}],
        "class": [{"type": {"text": "plan"}, "value": a.contract_id.0.to_string(), "name": a.contract}],
        "period": period,
    })
}

/// Writes the bundle: the header, then each client's resources as they are read.
pub struct BundleWriter<'w> {
    out: &'w mut dyn Write,
    first: bool,
    pub entries: u64,
}

impl<'w> BundleWriter<'w> {
    pub fn start(out: &'w mut dyn Write, timestamp: &str) -> Result<BundleWriter<'w>> {
        write!(
            out,
            "{{\n  \"resourceType\": \"Bundle\",\n  \"type\": \"collection\",\n  \"timestamp\": {},\n  \"entry\": [",
            json!(timestamp)
        )?;
        Ok(BundleWriter {
            out,
            first: true,
            entries: 0,
        })
    }

    fn entry(&mut self, resource: &str, id: i64, value: &Value) -> Result<()> {
        self.out
            .write_all(if self.first { b"\n    " } else { b",\n    " })?;
        self.first = false;
        let e = Entry {
            full_url: urn(resource, id),
            resource: value,
        };
        serde_json::to_writer(&mut *self.out, &e)
            .map_err(|e| Error::invalid(format!("could not write FHIR: {e}")))?;
        self.entries += 1;
        Ok(())
    }

    /// One client with their live records (voided ones are left out).
    pub fn client(
        &mut self,
        record: &crate::store::record::ClientRecord,
        contracts: &[Contract],
    ) -> Result<()> {
        let c = &record.client;
        self.entry("Patient", c.id.0, &patient(c))?;
        for a in record.live_attributions() {
            let k = contracts.iter().find(|k| k.id == a.contract_id);
            self.entry("Coverage", a.id.0, &coverage(a, k))?;
        }
        for e in record.encounters.iter().filter(|e| e.voided.is_none()) {
            self.entry("Encounter", e.id.0, &encounter(e))?;
        }
        for m in record.live_measurements() {
            self.entry("Observation", m.id.0, &observation(&m))?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<u64> {
        self.out.write_all(b"\n  ]\n}\n")?;
        Ok(self.entries)
    }
}
