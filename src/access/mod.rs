//! Who may do what. Every request passes through [`gate::Gate`], which resolves the caller and
//! checks the rule the route table gives the route; nothing else decides access.

pub mod form_token;
pub mod gate;
pub mod principals;
pub mod role_pages;
pub mod roles;
pub mod roles_api;
pub mod sections;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// Things a permission is about. Later record types and consoles add variants here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Cases,
    Incidents,
    TracingRequests,
    Families,
    Users,
    Roles,
    UserGroups,
    Agencies,
    Forms,
    Reports,
    AuditLog,
    BreachRegister,
    Backups,
    ConfigBundles,
    Imports,
    Exports,
}

/// What may be done to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Create,
    Write,
    Disable,
    Flag,
    Assign,
    Transfer,
    Refer,
    ReceiveReferral,
    RequestApproval,
    Approve,
    Close,
    Reopen,
    Export,
    Import,
    ViewHistory,
    ViewAccessLog,
    /// Refer without the recorded consent of the child or caregiver, giving a reason.
    ConsentOverride,
    Manage,
}

macro_rules! string_enum {
    ($ty:ident { $($variant:ident => $s:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $s),* }
            }
        }
        impl FromStr for $ty {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($s => Ok($ty::$variant),)* _ => Err(()) }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum!(Resource {
    Cases => "cases", Incidents => "incidents", TracingRequests => "tracing_requests",
    Families => "families", Users => "users", Roles => "roles", UserGroups => "user_groups",
    Agencies => "agencies", Forms => "forms", Reports => "reports", AuditLog => "audit_log",
    BreachRegister => "breach_register", Backups => "backups", ConfigBundles => "config_bundles",
    Imports => "imports", Exports => "exports",
});

string_enum!(Action {
    Read => "read", Create => "create", Write => "write", Disable => "disable", Flag => "flag",
    Assign => "assign", Transfer => "transfer", Refer => "refer",
    ReceiveReferral => "receive_referral", RequestApproval => "request_approval",
    Approve => "approve", Close => "close", Reopen => "reopen", Export => "export",
    Import => "import", ViewHistory => "view_history", ViewAccessLog => "view_access_log",
    ConsentOverride => "consent_override", Manage => "manage",
});

/// One cell of the permission matrix, written `resource:action` when stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Permission {
    pub resource: Resource,
    pub action: Action,
}

impl Permission {
    pub const fn new(resource: Resource, action: Action) -> Self {
        Self { resource, action }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.resource, self.action)
    }
}

impl FromStr for Permission {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (r, a) = s
            .split_once(':')
            .ok_or_else(|| format!("permission {s:?} is not resource:action"))?;
        Ok(Self {
            resource: r.parse().map_err(|_| format!("unknown resource {r:?}"))?,
            action: a.parse().map_err(|_| format!("unknown action {a:?}"))?,
        })
    }
}

/// A set of permissions, as a role grants them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionSet(BTreeSet<Permission>);

impl PermissionSet {
    pub fn allows(&self, p: Permission) -> bool {
        self.0.contains(&p)
    }

    /// Parses the stored JSON list; entries this build does not know are ignored with a warning
    /// (a newer version may have written them), never granted.
    pub fn from_json(json: &str) -> Self {
        let raw: Vec<String> = serde_json::from_str(json).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "role permissions are not a JSON list; granting none");
            Vec::new()
        });
        Self(
            raw.iter()
                .filter_map(|s| match s.parse() {
                    Ok(p) => Some(p),
                    Err(e) => {
                        tracing::warn!(permission = %s, error = %e, "ignoring unknown permission");
                        None
                    }
                })
                .collect(),
        )
    }

    pub fn to_json(&self) -> String {
        let list: Vec<String> = self.0.iter().map(|p| p.to_string()).collect();
        serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Permission> {
        self.0.iter()
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// What a route demands of the caller. Every route in the route table names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not (sign-in page, health, static assets).
    Public,
    /// Any signed-in user, even one who must still change a one-time password
    /// (the password change itself, sign-out).
    AnySession,
    /// Any signed-in user whose account is in good standing (home, profile).
    SignedIn,
    /// A signed-in user whose role grants this permission.
    Allowed(Permission),
}

/// How far a role reaches among records, from narrowest to widest. Stored as text in the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// Records the user owns or is assigned to.
    Own,
    /// ... and those of the members of the user's groups.
    Group,
    /// ... and those of the users of the user's agency.
    Agency,
    /// Every record.
    All,
}

string_enum!(ScopeKind { Own => "own", Group => "group", Agency => "agency", All => "all" });

impl ScopeKind {
    /// The stored text, read leniently: anything unknown reaches the least.
    pub fn from_stored(s: &str) -> Self {
        s.parse().unwrap_or_else(|_| {
            tracing::warn!(scope = %s, "unknown record scope; reaching own records only");
            ScopeKind::Own
        })
    }
}

/// The records a caller may reach. Every scope but `All` includes the records the user owns or
/// is assigned to; `Group` and `Agency` add those owned by or assigned to the members of the
/// user's (enabled) groups or the users of their agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordScope {
    All,
    Own {
        user: String,
    },
    Group {
        user: String,
        groups: Vec<String>,
    },
    Agency {
        user: String,
        agency: Option<String>,
    },
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    /// Browser session cookie: state-changing requests need the CSRF token.
    SessionCookie { session_hash: String },
    /// `Authorization: Bearer` token from `POST /api/v2/tokens`.
    Bearer { session_hash: String },
    /// `Authorization: Basic`, checked on every request.
    Basic,
}

/// The signed-in caller, placed in the request by the gate.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub username: String,
    pub full_name: String,
    pub role_id: String,
    pub role_name: String,
    pub language: Option<String>,
    pub must_change_password: bool,
    /// The role requires two-step sign-in and the user has not set it up yet.
    pub second_factor_missing: bool,
    pub permissions: PermissionSet,
    /// Which records the role reaches.
    pub record_scope: ScopeKind,
    /// The agency the user works for.
    pub agency_id: Option<String>,
    /// The enabled user groups the user belongs to.
    pub user_groups: Vec<String>,
    /// What the role may do with each form section.
    pub section_access: sections::SectionAccess,
    pub auth: AuthMethod,
    /// CSRF token of the browser session (empty for Basic and bearer callers).
    pub csrf_token: String,
}

impl Principal {
    pub fn can(&self, p: Permission) -> bool {
        self.permissions.allows(p)
    }

    /// Which records this caller may reach at all.
    pub fn record_scope(&self) -> RecordScope {
        let user = self.user_id.clone();
        match self.record_scope {
            ScopeKind::All => RecordScope::All,
            ScopeKind::Agency => RecordScope::Agency {
                user,
                agency: self.agency_id.clone(),
            },
            ScopeKind::Group => RecordScope::Group {
                user,
                groups: self.user_groups.clone(),
            },
            ScopeKind::Own => RecordScope::Own { user },
        }
    }

    /// The session this request belongs to, if any (Basic has none).
    pub fn session_hash(&self) -> Option<&str> {
        match &self.auth {
            AuthMethod::SessionCookie { session_hash } | AuthMethod::Bearer { session_hash } => {
                Some(session_hash)
            }
            AuthMethod::Basic => None,
        }
    }
}

/// The outcome of checking a rule against a (possibly anonymous) caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    NeedsSignIn,
    NeedsPasswordChange,
    NeedsSecondFactor,
    Deny,
}

/// The single access decision. Deny unless the rule is satisfied.
pub fn decide(rule: Rule, principal: Option<&Principal>) -> Decision {
    match (rule, principal) {
        (Rule::Public, _) => Decision::Allow,
        (_, None) => Decision::NeedsSignIn,
        (Rule::AnySession, Some(_)) => Decision::Allow,
        (_, Some(p)) if p.must_change_password => Decision::NeedsPasswordChange,
        (_, Some(p)) if p.second_factor_missing => Decision::NeedsSecondFactor,
        (Rule::SignedIn, Some(_)) => Decision::Allow,
        (Rule::Allowed(perm), Some(p)) if p.can(perm) => Decision::Allow,
        (Rule::Allowed(_), Some(_)) => Decision::Deny,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(perms: &[Permission], must_change: bool) -> Principal {
        Principal {
            user_id: "u".into(),
            username: "u".into(),
            full_name: String::new(),
            role_id: "r".into(),
            role_name: "r".into(),
            language: None,
            must_change_password: must_change,
            second_factor_missing: false,
            permissions: perms.iter().copied().collect(),
            record_scope: ScopeKind::Own,
            agency_id: None,
            user_groups: Vec::new(),
            section_access: Default::default(),
            auth: AuthMethod::Basic,
            csrf_token: String::new(),
        }
    }

    #[test]
    fn permission_round_trips_through_text() {
        for r in Resource::ALL {
            for a in Action::ALL {
                let p = Permission::new(*r, *a);
                assert_eq!(p.to_string().parse::<Permission>().unwrap(), p);
            }
        }
        assert!("cases".parse::<Permission>().is_err());
        assert!("cases:fly".parse::<Permission>().is_err());
    }

    #[test]
    fn unknown_stored_permissions_are_never_granted() {
        let set = PermissionSet::from_json(r#"["cases:read","spaceships:launch","nonsense"]"#);
        assert_eq!(set.iter().count(), 1);
        assert!(set.allows(Permission::new(Resource::Cases, Action::Read)));
        assert_eq!(PermissionSet::from_json("not json").iter().count(), 0);
    }

    #[test]
    fn decisions_deny_by_default() {
        let read = Permission::new(Resource::Cases, Action::Read);
        let write = Permission::new(Resource::Cases, Action::Write);
        let p = principal(&[read], false);
        assert_eq!(decide(Rule::Public, None), Decision::Allow);
        assert_eq!(decide(Rule::SignedIn, None), Decision::NeedsSignIn);
        assert_eq!(decide(Rule::Allowed(read), None), Decision::NeedsSignIn);
        assert_eq!(decide(Rule::Allowed(read), Some(&p)), Decision::Allow);
        assert_eq!(decide(Rule::Allowed(write), Some(&p)), Decision::Deny);
        let pending = principal(&[read], true);
        assert_eq!(decide(Rule::AnySession, Some(&pending)), Decision::Allow);
        assert_eq!(
            decide(Rule::SignedIn, Some(&pending)),
            Decision::NeedsPasswordChange
        );
        assert_eq!(
            decide(Rule::Allowed(read), Some(&pending)),
            Decision::NeedsPasswordChange
        );
        let unenrolled = Principal {
            second_factor_missing: true,
            ..principal(&[read], false)
        };
        assert_eq!(decide(Rule::AnySession, Some(&unenrolled)), Decision::Allow);
        assert_eq!(
            decide(Rule::SignedIn, Some(&unenrolled)),
            Decision::NeedsSecondFactor
        );
        assert_eq!(
            decide(Rule::Allowed(read), Some(&unenrolled)),
            Decision::NeedsSecondFactor
        );
    }
}
