//! Roles. Organisation roles grant rights over an organisation and everything below it (the
//! "layer and below" model of federations); the three administrator roles (三员分立, GB/T
//! 22239-2019 8.1.4.2) are separate and see no personal data.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the unit and its subtree, and its staff accounts.
    OrgAdmin,
    /// Reads and edits records in the subtree.
    OrgStaff,
    /// Reads the subtree.
    OrgViewer,
    /// A science and technology worker's own account: their own record only.
    Member,
    /// Accounts, configuration, backups (系统管理员).
    SystemAdmin,
    /// Roles and policies (安全管理员).
    SecurityAdmin,
    /// Reads the audit trail, nothing else (审计管理员).
    AuditAdmin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::OrgAdmin,
        Role::OrgStaff,
        Role::OrgViewer,
        Role::Member,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::AuditAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::OrgAdmin => "org_admin",
            Role::OrgStaff => "org_staff",
            Role::OrgViewer => "org_viewer",
            Role::Member => "member",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    pub fn zh_name(self) -> &'static str {
        match self {
            Role::OrgAdmin => "组织管理员",
            Role::OrgStaff => "工作人员",
            Role::OrgViewer => "查阅人员",
            Role::Member => "会员本人",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        let t = text.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == t || r.zh_name() == t)
    }

    /// Roles that act on an organisation subtree and so need an organisation.
    pub fn is_org_role(self) -> bool {
        matches!(self, Role::OrgAdmin | Role::OrgStaff | Role::OrgViewer)
    }

    /// One of the three separate administrators.
    pub fn is_administrator(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }

    /// May change records in its scope.
    pub fn can_write(self) -> bool {
        matches!(self, Role::OrgAdmin | Role::OrgStaff)
    }

    /// May see a full ID or phone number (each unmasking is audited).
    pub fn can_unmask(self) -> bool {
        matches!(self, Role::OrgAdmin | Role::OrgStaff | Role::Member)
    }

    /// May create and manage accounts: the system administrator everywhere, an organisation
    /// administrator for staff of its own subtree.
    pub fn can_manage_accounts(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::OrgAdmin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_code_and_chinese_name() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
            assert_eq!(Role::parse(role.zh_name()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn administrators_neither_write_nor_unmask_personal_data() {
        for role in Role::ALL.into_iter().filter(|r| r.is_administrator()) {
            assert!(!role.can_write());
            assert!(!role.can_unmask());
            assert!(!role.is_org_role());
        }
    }
}
