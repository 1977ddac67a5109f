//! The entry forms (log a contact, record a measurement or an event, change tier), the same
//! forms correcting a stored record (`correct`), and booking and reviewing (`plan`): fields,
//! focus, typing, and validation through the same domain functions the command line uses.
//! Nothing is written here: a valid form yields a `Submission` for `update` to store.

mod correct;
mod field;
mod new_client;
mod plan;

pub use field::{Field, FieldId, FieldKind, Refusal};
pub use new_client::{NO_CLINICIAN, NO_CONTRACT, NewClientEntry};
pub use plan::{BookingEntry, day_and_time};

use super::action::{Action, Edit};
use crate::domain::corrections::{self, RecordKind};
use crate::domain::entry::{self, EncounterEntry, EventEntry, MeasurementEntry};
use crate::domain::{
    ClientId, EncounterId, EncounterKind, EncounterStatus, EventKind, Instrument, MeasurementId,
    Tier,
};
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Contact,
    Measure,
    Event,
    Tier,
    /// Only a reason: void the target (or unvoid it).
    Void,
    Unvoid,
    /// An appointment, or a series of them.
    Book,
    /// A review of one of the client's flags.
    Review,
    /// A new client for the panel (the form's `client` is unused).
    NewClient,
}

/// What a valid form asks to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    Contact(EncounterEntry),
    Measure(MeasurementEntry),
    Event(EventEntry),
    Tier(Tier),
    /// A stored encounter's values as they should be, and why.
    AmendContact {
        id: EncounterId,
        entry: EncounterEntry,
        reason: String,
    },
    AmendMeasure {
        id: MeasurementId,
        entry: MeasurementEntry,
        reason: String,
    },
    Void {
        kind: RecordKind,
        id: i64,
        reason: String,
    },
    Unvoid {
        kind: RecordKind,
        id: i64,
        reason: String,
    },
    /// Book these appointments.
    Book(BookingEntry),
    /// Add this client to the panel.
    NewClient(NewClientEntry),
    /// Review a flag today: a sign-off (no `until`) or a snooze through `until`.
    Review {
        kind: crate::domain::flags::FlagKind,
        until: Option<NaiveDate>,
        note: String,
    },
}

/// The stored record a correcting form is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: RecordKind,
    pub id: i64,
    /// "encounter of 2026-11-12 · session · 50 min": shown under the client's name.
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    pub client: ClientId,
    pub client_label: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<String>,
    /// Set when the form corrects a stored record rather than entering a new one; then it has
    /// a required reason field, and the stored values are its starting point.
    pub target: Option<Target>,
    /// A line under the client's name saying what the form is about ("appointment of …").
    pub about: Option<String>,
    today: NaiveDate,
}

/// What handling an action did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormResult {
    Editing,
    Cancelled,
    Submitted(Submission),
}

fn words<T: Copy>(all: &[T], word: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| word(*v)).collect()
}

impl Form {
    /// A form of `kind` for `client` with `fields`, focus on the first, nothing refused yet.
    pub(super) fn new(
        kind: FormKind,
        client: ClientId,
        client_label: String,
        fields: Vec<Field>,
        today: NaiveDate,
    ) -> Form {
        Form {
            kind,
            client,
            client_label,
            fields,
            focus: 0,
            error: None,
            target: None,
            about: None,
            today,
        }
    }

    pub fn contact(client: ClientId, client_label: String, today: NaiveDate) -> Form {
        let kinds = words(EncounterKind::ALL, EncounterKind::as_str);
        let session = kinds.iter().position(|k| *k == "session").unwrap_or(0);
        let fields = vec![
            Field::choice(FieldId::Kind, kinds, session),
            Field::choice(
                FieldId::Status,
                words(EncounterStatus::ALL, EncounterStatus::as_str),
                0,
            ),
            Field::text(FieldId::Date, &today.to_string(), 10, "YYYY-MM-DD"),
            Field::text(
                FieldId::Minutes,
                &entry::usual_minutes(EncounterKind::Session, EncounterStatus::Completed)
                    .to_string(),
                4,
                "0–1440",
            ),
            Field::text(
                FieldId::Note,
                "",
                crate::domain::validate::NOTE_MAX_CHARS,
                "optional, short",
            ),
        ];
        Form::new(FormKind::Contact, client, client_label, fields, today)
    }

    /// PHQ-9 first and focus on the items: a PHQ-9 is nine digits and Enter.
    pub fn measure(client: ClientId, client_label: String, today: NaiveDate) -> Form {
        let names = Instrument::ALL.iter().map(|i| i.name()).collect();
        let fields = vec![
            Field::choice(FieldId::Instrument, names, 0),
            Field::digits(FieldId::Items, 80, ""),
            Field::digits(FieldId::Total, 3, ""),
            Field::text(FieldId::Date, &today.to_string(), 10, "YYYY-MM-DD"),
        ];
        let mut form = Form {
            focus: 1,
            ..Form::new(FormKind::Measure, client, client_label, fields, today)
        };
        form.refresh_hints();
        form
    }

    pub fn event(client: ClientId, client_label: String, today: NaiveDate) -> Form {
        let fields = vec![
            Field::choice(FieldId::Event, words(EventKind::ALL, EventKind::as_str), 0),
            Field::text(FieldId::Date, &today.to_string(), 10, "YYYY-MM-DD"),
        ];
        Form::new(FormKind::Event, client, client_label, fields, today)
    }

    pub fn tier(client: ClientId, client_label: String, current: Tier, today: NaiveDate) -> Form {
        let tiers = words(Tier::ALL, Tier::as_str);
        let chosen = Tier::ALL.iter().position(|t| *t == current).unwrap_or(0);
        let fields = vec![Field::choice(FieldId::Tier, tiers, chosen)];
        Form::new(FormKind::Tier, client, client_label, fields, today)
    }

    pub fn title(&self) -> &'static str {
        match (self.kind, self.target.is_some()) {
            (FormKind::Contact, false) => "Log a contact",
            (FormKind::Contact, true) => "Correct a contact",
            (FormKind::Measure, false) => "Record a measurement",
            (FormKind::Measure, true) => "Correct a measurement",
            (FormKind::Event, _) => "Record an acute event",
            (FormKind::Tier, _) => "Change tier",
            (FormKind::Void, _) => "Void a record",
            (FormKind::Unvoid, _) => "Unvoid a record",
            (FormKind::Book, _) => "Book an appointment",
            (FormKind::Review, _) => "Review a flag",
            (FormKind::NewClient, _) => "Add a client",
        }
    }

    /// The line under the fields when there is no error: what Enter will do.
    pub fn footnote(&self) -> &'static str {
        match (self.kind, self.target.is_some()) {
            (FormKind::Void, _) => "A voided record stays in the list but counts for nothing.",
            (FormKind::Unvoid, _) => "An unvoided record counts again, exactly as it was.",
            (FormKind::Book, _) => "Leave every and count empty for one appointment; u undoes it.",
            (FormKind::Review, _) => "A review stays on record: it cannot be undone.",
            (FormKind::NewClient, _) => "Joins the panel today; Enter adds, Esc adds nothing.",
            (_, true) => "Enter saves the correction with its reason; Esc changes nothing.",
            (_, false) => "Nothing is saved until you press Enter.",
        }
    }

    /// The instrument of a measurement form: chosen, or fixed when correcting one.
    fn instrument(&self) -> Instrument {
        match self.field(FieldId::Instrument) {
            Some(f) if f.kind == FieldKind::Fixed => {
                f.value.value().parse().unwrap_or(Instrument::ALL[0])
            }
            Some(f) => Instrument::ALL
                .get(f.choice)
                .copied()
                .unwrap_or(Instrument::ALL[0]),
            None => Instrument::ALL[0],
        }
    }

    fn value(&self, id: FieldId) -> String {
        self.field(id).map(Field::shown).unwrap_or_default()
    }

    fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    fn field_mut(&mut self, id: FieldId) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.id == id)
    }

    /// Keeps hints (and the minutes default) in step with the choices made.
    fn refresh_hints(&mut self) {
        match self.kind {
            FormKind::Measure => {
                let def = self.instrument().def();
                let typed = self.value(FieldId::Items);
                let typed = crate::domain::instruments::parse_items(def, &typed)
                    .map(|v| v.len())
                    .unwrap_or(0);
                let items_hint = if def.item_max < 10 {
                    format!("{typed}/{} digits, each 0–{}", def.items, def.item_max)
                } else {
                    format!(
                        "{typed}/{} numbers 0–{}, space between",
                        def.items, def.item_max
                    )
                };
                if let Some(items) = self.field_mut(FieldId::Items) {
                    items.hint = items_hint;
                }
                if let Some(total) = self.field_mut(FieldId::Total) {
                    total.hint = format!("0–{}, if no items", def.total_max);
                }
            }
            FormKind::Book | FormKind::Review => self.refresh_plan(),
            FormKind::Contact => {
                let kind: Option<EncounterKind> = self.value(FieldId::Kind).parse().ok();
                let status: Option<EncounterStatus> = self.value(FieldId::Status).parse().ok();
                // A correction starts from the stored minutes: they follow the kind and status
                // only once one of those is changed.
                let chose = self
                    .fields
                    .iter()
                    .any(|f| matches!(f.kind, FieldKind::Choice(_)) && f.edited);
                let follow = self.target.is_none() || chose;
                if let (Some(kind), Some(status), Some(minutes)) =
                    (kind, status, self.field_mut(FieldId::Minutes))
                    && !minutes.edited
                    && follow
                {
                    minutes
                        .value
                        .set(entry::usual_minutes(kind, status).to_string());
                }
            }
            _ => {}
        }
    }

    /// Handles one action; returns whether the form goes on, was cancelled, or is valid.
    pub fn handle(&mut self, action: Action) -> FormResult {
        let count = self.fields.len();
        match action {
            Action::Cancel => return FormResult::Cancelled,
            Action::NextField | Action::PrevField => {
                let step = if action == Action::NextField {
                    1
                } else {
                    count - 1
                };
                // Fixed fields are shown, not visited.
                for _ in 0..count {
                    self.focus = (self.focus + step) % count;
                    if self.fields[self.focus].kind != FieldKind::Fixed {
                        break;
                    }
                }
            }
            Action::Type(c) => self.type_char(c),
            Action::Edit(edit) => {
                let field = &mut self.fields[self.focus];
                match &field.kind {
                    // On a choice ←/→ change it, as they did before fields had a cursor.
                    FieldKind::Choice(options) => {
                        let n = options.len();
                        let chosen = match edit {
                            Edit::Right => Some((field.choice + 1) % n),
                            Edit::Left => Some((field.choice + n - 1) % n),
                            _ => None,
                        };
                        if let Some(chosen) = chosen {
                            field.choice = chosen;
                            field.edited = true;
                        }
                    }
                    FieldKind::Fixed => {}
                    FieldKind::Text { .. } | FieldKind::Digits { .. } => {
                        if field.value.edit(edit) {
                            field.edited = true;
                        }
                    }
                }
            }
            Action::Submit => match self.validate() {
                Ok(submission) => return FormResult::Submitted(submission),
                Err(refusal) => {
                    // The cursor goes to the field at fault, so it can be put right at once.
                    if let Some(at) = refusal
                        .field
                        .and_then(|id| self.fields.iter().position(|f| f.id == id))
                    {
                        self.focus = at;
                    }
                    self.error = Some(refusal.message);
                }
            },
            _ => {}
        }
        if !matches!(action, Action::Submit) {
            self.error = None;
        }
        self.refresh_hints();
        FormResult::Editing
    }

    fn type_char(&mut self, c: char) {
        let field = &mut self.fields[self.focus];
        match &field.kind {
            FieldKind::Choice(options) => {
                // Typing a letter jumps to the next choice that starts with it.
                let n = options.len();
                if let Some(i) = (1..=n).map(|step| (field.choice + step) % n).find(|i| {
                    options[*i]
                        .to_lowercase()
                        .starts_with(c.to_ascii_lowercase())
                }) {
                    field.choice = i;
                    field.edited = true;
                }
            }
            FieldKind::Fixed => {}
            FieldKind::Text { max } => {
                if crate::domain::text::find_control(c.encode_utf8(&mut [0; 4])).is_some() {
                    return;
                }
                // The first key typed over a default replaces it, unless the cursor was moved
                // into it: then the default is being edited, not typed over.
                if !field.edited && field.value.at_end() {
                    field.value.clear();
                }
                if field.value.len() < *max && field.value.insert(c) {
                    field.edited = true;
                }
            }
            FieldKind::Digits { max } => {
                if (c.is_ascii_digit() || c == ',' || c == ' ')
                    && field.value.len() < *max
                    && field.value.insert(c)
                {
                    field.edited = true;
                }
            }
        }
    }

    /// Validates with the domain's entry rules; the message is what the command line would say.
    pub fn validate(&self) -> Result<Submission, Refusal> {
        match &self.target {
            None => self.entry(),
            Some(target) => Ok(self.correction(target)?),
        }
    }

    /// The values typed, checked as on entry.
    fn entry(&self) -> Result<Submission, Refusal> {
        let v = |id: FieldId| self.value(id);
        let result = match self.kind {
            FormKind::Contact => entry::encounter(
                &v(FieldId::Kind),
                &v(FieldId::Status),
                &v(FieldId::Minutes),
                Some(&v(FieldId::Date)),
                Some(&v(FieldId::Note)),
                self.today,
            )
            .map(Submission::Contact),
            FormKind::Measure => entry::measurement(
                self.instrument().as_str(),
                Some(&v(FieldId::Total)),
                Some(&v(FieldId::Items)),
                Some(&v(FieldId::Date)),
                self.today,
            )
            .map(Submission::Measure),
            FormKind::Event => {
                entry::event(&v(FieldId::Event), Some(&v(FieldId::Date)), self.today)
                    .map(Submission::Event)
            }
            FormKind::Tier => v(FieldId::Tier).parse().map(Submission::Tier),
            FormKind::Void | FormKind::Unvoid => {
                return Err(String::from("there is no record to void or unvoid").into());
            }
            FormKind::Book => return Ok(self.booking().map(Submission::Book)?),
            FormKind::Review => return Ok(self.review_submission()?),
            FormKind::NewClient => return Ok(self.new_client_submission()?),
        };
        result.map_err(Refusal::from)
    }
}

#[cfg(test)]
mod tests;
