//! The flag intervals of SPEC section 4: how often each tier must be contacted and how often
//! outcomes must be measured. Stored as practice settings; passed into the flag rules.

use super::Tier;

/// The flag intervals of SPEC section 4, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Intervals {
    pub contact_high: i64,
    pub contact_moderate: i64,
    pub contact_low: i64,
    pub measure: i64,
}

impl Default for Intervals {
    fn default() -> Self {
        Intervals {
            contact_high: 7,
            contact_moderate: 14,
            contact_low: 30,
            measure: 30,
        }
    }
}

impl Intervals {
    pub fn contact(&self, tier: Tier) -> i64 {
        match tier {
            Tier::High => self.contact_high,
            Tier::Moderate => self.contact_moderate,
            Tier::Low => self.contact_low,
        }
    }
}
