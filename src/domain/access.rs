//! Roles: one pure rule deciding whether a role may do an action on something it owns or not.
//! The store audits every denial and the CLI and TUI ask before acting; neither decides alone.

use super::{ClinicianId, Role};
use std::fmt;

/// Something a clinician may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Open one client's record (details, encounters, measurements).
    ViewClient,
    /// Change a client: tier, status, attribution, encounters, measurements, events.
    ChangeClient,
    /// Put a new client on a panel.
    AddClient,
    /// List a panel (and the flags and reports computed from it).
    ListClients,
    /// Add or change clinicians.
    ManageClinicians,
    /// Add or change payer contracts.
    ManageContracts,
    /// Change the practice's settings (intervals, lock time).
    ManageSettings,
    /// Set a passphrase (one's own, or, as an admin, someone else's).
    SetPassphrase,
    /// Read the audit trail.
    ReviewAudit,
    /// Copy the whole practice out or back in: export, backup, restore.
    CopyPractice,
    /// Write a demo practice into the database.
    GenerateDemo,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::ViewClient,
        Action::ChangeClient,
        Action::AddClient,
        Action::ListClients,
        Action::ManageClinicians,
        Action::ManageContracts,
        Action::ManageSettings,
        Action::SetPassphrase,
        Action::ReviewAudit,
        Action::CopyPractice,
        Action::GenerateDemo,
    ];

    /// The words used in denial messages and audit rows.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ViewClient => "view client",
            Action::ChangeClient => "change client",
            Action::AddClient => "add client",
            Action::ListClients => "list clients",
            Action::ManageClinicians => "manage clinicians",
            Action::ManageContracts => "manage contracts",
            Action::ManageSettings => "change settings",
            Action::SetPassphrase => "set passphrase",
            Action::ReviewAudit => "review the audit trail",
            Action::CopyPractice => "export, back up or restore the practice",
            Action::GenerateDemo => "write a demo practice",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose thing the action is on, seen from the acting clinician.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ownership {
    /// Their own: a client on their panel, their own passphrase, their own panel listed.
    Own,
    /// Someone else's or no one's: another clinician's client, an unassigned client, the
    /// whole practice's panel, another clinician's passphrase.
    Others,
    /// The practice as a whole (clinicians, contracts, settings, the audit trail, copies).
    Practice,
}

impl Ownership {
    /// A client's ownership for the acting clinician: own when they are its primary clinician.
    pub fn of_client(actor: ClinicianId, primary: Option<ClinicianId>) -> Ownership {
        if primary == Some(actor) {
            Ownership::Own
        } else {
            Ownership::Others
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Ownership::Own => "own",
            Ownership::Others => "others",
            Ownership::Practice => "practice",
        }
    }
}

/// The whole access policy:
///
/// - a `clinician` sees and changes only their own panel and sets their own passphrase;
/// - a `supervisor` also sees everyone's panel and records (read-only beyond their own);
/// - an `admin` sees and changes everything and alone manages clinicians, contracts, settings,
///   other people's passphrases, the audit trail, exports, backups and restores, and the demo.
pub fn permits(role: Role, action: Action, ownership: Ownership) -> bool {
    use Action::*;
    use Ownership::*;
    matches!(
        (role, action, ownership),
        (Role::Admin, _, _)
            | (
                _,
                ViewClient | ChangeClient | AddClient | ListClients | SetPassphrase,
                Own
            )
            | (Role::Supervisor, ViewClient | ListClients, Others)
    )
}

/// The panel a role is shown when it names none: a clinician their own, a supervisor or
/// admin everyone's (`None`).
pub fn default_panel(role: Role, actor: ClinicianId) -> Option<ClinicianId> {
    match role {
        Role::Clinician => Some(actor),
        Role::Supervisor | Role::Admin => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matrix, written out: (action, ownership) → (clinician, supervisor, admin).
    const MATRIX: &[(Action, Ownership, [bool; 3])] = {
        use Action::*;
        use Ownership::*;
        &[
            (ViewClient, Own, [true, true, true]),
            (ViewClient, Others, [false, true, true]),
            (ChangeClient, Own, [true, true, true]),
            (ChangeClient, Others, [false, false, true]),
            (AddClient, Own, [true, true, true]),
            (AddClient, Others, [false, false, true]),
            (ListClients, Own, [true, true, true]),
            (ListClients, Others, [false, true, true]),
            (SetPassphrase, Own, [true, true, true]),
            (SetPassphrase, Others, [false, false, true]),
            (ManageClinicians, Practice, [false, false, true]),
            (ManageContracts, Practice, [false, false, true]),
            (ManageSettings, Practice, [false, false, true]),
            (ReviewAudit, Practice, [false, false, true]),
            (CopyPractice, Practice, [false, false, true]),
            (GenerateDemo, Practice, [false, false, true]),
        ]
    };

    #[test]
    fn role_by_action_matrix() {
        let roles = [Role::Clinician, Role::Supervisor, Role::Admin];
        for (action, ownership, expected) in MATRIX {
            for (role, want) in roles.iter().zip(expected) {
                assert_eq!(
                    permits(*role, *action, *ownership),
                    *want,
                    "{role} / {action} / {}",
                    ownership.as_str()
                );
            }
        }
        // Every action appears in the matrix.
        for action in Action::ALL {
            assert!(MATRIX.iter().any(|(a, _, _)| a == action), "{action}");
        }
    }

    #[test]
    fn practice_actions_never_pass_as_ownership_for_non_admins() {
        for action in Action::ALL {
            for role in [Role::Clinician, Role::Supervisor] {
                assert!(
                    !permits(role, *action, Ownership::Practice),
                    "{role} {action}"
                );
            }
        }
    }

    #[test]
    fn a_clinician_is_shown_their_own_panel_by_default() {
        let me = ClinicianId(3);
        assert_eq!(default_panel(Role::Clinician, me), Some(me));
        assert_eq!(default_panel(Role::Supervisor, me), None);
        assert_eq!(default_panel(Role::Admin, me), None);
    }

    #[test]
    fn ownership_of_a_client() {
        let me = ClinicianId(1);
        assert_eq!(Ownership::of_client(me, Some(me)), Ownership::Own);
        assert_eq!(
            Ownership::of_client(me, Some(ClinicianId(2))),
            Ownership::Others
        );
        assert_eq!(Ownership::of_client(me, None), Ownership::Others);
    }
}
