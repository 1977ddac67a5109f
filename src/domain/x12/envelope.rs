//! The X12 envelope: ISA/IEA around GS/GE functional groups around ST/SE transaction sets,
//! each closing segment's count (SE01 segments, GE01 sets, IEA01 groups) and control number
//! checked against what the file holds. Says where each segment stands; reads no 834 content.

use super::Refusal;
use super::tokens::Segment;

/// Where a segment stands in the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// An ISA, GS, GE or IEA: nothing for the transaction set's reader.
    Envelope,
    /// An ST: a transaction set begins.
    Opened,
    /// A segment inside the open transaction set.
    Inside,
    /// An SE: the transaction set is closed (and its count was right).
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Interchange,
    Group,
    Set,
    Done,
}

/// Follows the envelope segment by segment.
#[derive(Debug)]
pub struct Envelope {
    state: State,
    isa_control: String,
    groups: u64,
    gs_at: u64,
    gs_control: String,
    sets: u64,
    st_at: u64,
    st_control: String,
    in_set: u64,
}

/// An element as text for comparing and showing (control numbers and counts are digits; anything
/// else is shown with stand-ins).
fn text(bytes: &[u8]) -> String {
    crate::domain::text::sanitize(String::from_utf8_lossy(bytes).trim())
}

/// Control numbers compare as numbers when both are digits (`000012345` = `12345`).
fn same_control(a: &str, b: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if digits(a) && digits(b) {
        a.trim_start_matches('0') == b.trim_start_matches('0')
    } else {
        a == b
    }
}

fn count(segment: &Segment, element: usize, what: &str) -> Result<u64, Refusal> {
    let value = text(segment.element(element));
    value.parse::<u64>().map_err(|_| {
        Refusal::at(
            segment,
            format!(
                "{}{element:02} ('{value}') should be the number of {what}",
                segment.name()
            ),
        )
    })
}

impl Envelope {
    pub fn new() -> Envelope {
        Envelope {
            state: State::Start,
            isa_control: String::new(),
            groups: 0,
            gs_at: 0,
            gs_control: String::new(),
            sets: 0,
            st_at: 0,
            st_control: String::new(),
            in_set: 0,
        }
    }

    /// Takes the next segment.
    pub fn feed(&mut self, segment: &Segment) -> Result<Place, Refusal> {
        let id = segment.id();
        if self.state == State::Set {
            self.in_set += 1;
        }
        match (self.state, id) {
            (State::Start, b"ISA") => {
                self.isa_control = text(segment.element(13));
                self.state = State::Interchange;
                Ok(Place::Envelope)
            }
            (State::Done, _) => Err(Refusal::at(
                segment,
                "comes after IEA, the end of the interchange; caseload reads one interchange per file",
            )),
            (State::Interchange, b"GS") => {
                self.groups += 1;
                self.gs_at = segment.number;
                self.gs_control = text(segment.element(6));
                self.sets = 0;
                self.state = State::Group;
                Ok(Place::Envelope)
            }
            (State::Interchange, b"IEA") => {
                let said = count(segment, 1, "functional groups (GS … GE) in the interchange")?;
                if said != self.groups {
                    return Err(Refusal::at(
                        segment,
                        format!(
                            "IEA01 says {said} functional group{} but the interchange has {}",
                            plural(said),
                            self.groups
                        ),
                    ));
                }
                let control = text(segment.element(2));
                if !same_control(&control, &self.isa_control) {
                    return Err(Refusal::at(
                        segment,
                        format!(
                            "IEA02 '{control}' does not match ISA13 '{}', the interchange control number",
                            self.isa_control
                        ),
                    ));
                }
                self.state = State::Done;
                Ok(Place::Envelope)
            }
            (State::Interchange, _) => Err(Refusal::at(
                segment,
                "is outside a functional group: after the ISA (or a GE) only GS or IEA may come",
            )),
            (State::Group, b"ST") => {
                let kind = text(segment.element(1));
                if kind != "834" {
                    return Err(Refusal::at(
                        segment,
                        format!("this is an X12 {kind} transaction, not an 834 benefit enrollment"),
                    ));
                }
                self.sets += 1;
                self.st_at = segment.number;
                self.st_control = text(segment.element(2));
                self.in_set = 1;
                self.state = State::Set;
                Ok(Place::Opened)
            }
            (State::Group, b"GE") => {
                let said = count(segment, 1, "transaction sets (ST … SE) in the group")?;
                if said != self.sets {
                    return Err(Refusal::at(
                        segment,
                        format!(
                            "GE01 says {said} transaction set{} but the group opened at segment {} has {}",
                            plural(said),
                            self.gs_at,
                            self.sets
                        ),
                    ));
                }
                let control = text(segment.element(2));
                if !same_control(&control, &self.gs_control) {
                    return Err(Refusal::at(
                        segment,
                        format!(
                            "GE02 '{control}' does not match GS06 '{}' of segment {}, the group control number",
                            self.gs_control, self.gs_at
                        ),
                    ));
                }
                self.state = State::Interchange;
                Ok(Place::Envelope)
            }
            (State::Group, _) => Err(Refusal::at(
                segment,
                format!(
                    "is outside a transaction set: inside the group opened at segment {} only ST or GE may come",
                    self.gs_at
                ),
            )),
            (State::Set, b"SE") => {
                let said = count(
                    segment,
                    1,
                    "segments in the transaction set, ST and SE included",
                )?;
                if said != self.in_set {
                    return Err(Refusal::at(
                        segment,
                        format!(
                            "SE01 says {said} segment{} but the transaction set from segment {} (ST) to here has {}; is a segment missing or extra?",
                            plural(said),
                            self.st_at,
                            self.in_set
                        ),
                    ));
                }
                let control = text(segment.element(2));
                if !same_control(&control, &self.st_control) {
                    return Err(Refusal::at(
                        segment,
                        format!(
                            "SE02 '{control}' does not match ST02 '{}' of segment {}, the transaction set control number",
                            self.st_control, self.st_at
                        ),
                    ));
                }
                self.state = State::Group;
                Ok(Place::Closed)
            }
            (State::Set, b"ISA" | b"GS" | b"ST" | b"GE" | b"IEA") => Err(Refusal::at(
                segment,
                format!(
                    "the transaction set opened at segment {} (ST) has no SE before this {}",
                    self.st_at,
                    segment.name()
                ),
            )),
            (State::Set, _) => Ok(Place::Inside),
            (State::Start, _) => Err(Refusal::at(
                segment,
                "the file does not start with an ISA segment",
            )),
        }
    }

    /// Checks that the file ended where the interchange did.
    pub fn finish(&self, last: u64) -> Result<(), Refusal> {
        let open = match self.state {
            State::Done => return Ok(()),
            State::Start => "the file holds no segment".to_string(),
            State::Set => format!(
                "the file ends inside the transaction set opened at segment {} (ST): no SE, GE or IEA; is it cut short?",
                self.st_at
            ),
            State::Group => format!(
                "the file ends inside the functional group opened at segment {} (GS): no GE or IEA; is it cut short?",
                self.gs_at
            ),
            State::Interchange => {
                "the file ends before IEA, the end of the interchange; is it cut short?".to_string()
            }
        };
        Err(Refusal::new(last.max(1), None, open))
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
