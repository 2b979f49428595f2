//! The caller's scope: which organisations' data a call may touch, and what it may do there.
//!
//! Every store call that reads or writes organisation data takes a `Scope`. A row outside it is
//! reported as not found, never as forbidden, so that a caller cannot learn it exists.

use crate::sql::{subtree_range, Sql};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Reach {
    /// Command-line administration on the machine itself.
    All,
    /// The organisations under these materialised paths (each path with everything below it).
    Subtrees(Vec<String>),
    /// A member's own account: their own person record only.
    Person(i64),
}

/// Who acts, for the audit trail: never a password, a token or a full ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub username: String,
    /// The client address, or "local" for the command line.
    pub client: String,
}

impl Actor {
    /// The machine's operator at the command line.
    pub fn local(username: impl Into<String>) -> Actor {
        Actor {
            account_id: None,
            username: username.into(),
            client: "local".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    reach: Reach,
    can_write: bool,
    can_unmask: bool,
    actor: Actor,
    /// The data's generation read when the request began (see `remembered`), if known: reads
    /// made for the request may then use what was remembered at that generation.
    generation: Option<i64>,
}

impl Scope {
    /// Everything, with every right: the command line run by the machine's operator.
    pub fn everything() -> Scope {
        Scope {
            reach: Reach::All,
            can_write: true,
            can_unmask: true,
            actor: Actor::local("cli"),
            generation: None,
        }
    }

    /// An organisation subtree (its materialised path) with the given rights.
    pub fn subtree(path: impl Into<String>, can_write: bool, can_unmask: bool) -> Scope {
        Scope {
            reach: Reach::Subtrees(vec![path.into()]),
            can_write,
            can_unmask,
            actor: Actor::local("system"),
            generation: None,
        }
    }

    /// A science and technology worker's own record.
    pub fn own_person(person_id: i64) -> Scope {
        Scope {
            reach: Reach::Person(person_id),
            can_write: false,
            can_unmask: true,
            actor: Actor::local("system"),
            generation: None,
        }
    }

    /// Nothing at all: accounts that hold no organisation role (the three administrators).
    pub fn nothing() -> Scope {
        Scope {
            reach: Reach::Subtrees(Vec::new()),
            can_write: false,
            can_unmask: false,
            actor: Actor::local("system"),
            generation: None,
        }
    }

    /// The same scope, acting as `actor`.
    pub fn acting_as(mut self, actor: Actor) -> Scope {
        self.actor = actor;
        self
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The same scope, for a request that began at the data's `generation`
    /// (`Store::token_caller` reads it).
    pub fn at_generation(mut self, generation: i64) -> Scope {
        self.generation = Some(generation);
        self
    }

    pub(crate) fn generation(&self) -> Option<i64> {
        self.generation
    }

    /// Whether the scope reaches every organisation (the command line).
    pub fn is_everything(&self) -> bool {
        self.reach == Reach::All
    }

    pub fn can_write(&self) -> bool {
        self.can_write
    }

    pub fn can_unmask(&self) -> bool {
        self.can_unmask
    }

    pub fn person_id(&self) -> Option<i64> {
        match self.reach {
            Reach::Person(id) => Some(id),
            _ => None,
        }
    }

    /// The materialised paths of the subtrees the scope reaches: `None` for everything, none for
    /// a member's own record (see `person_id`) or an account without an organisation.
    pub fn subtree_paths(&self) -> Option<&[String]> {
        match &self.reach {
            Reach::All => None,
            Reach::Subtrees(roots) => Some(roots),
            Reach::Person(_) => Some(&[]),
        }
    }

    /// Whether an organisation with this path is inside the scope.
    pub fn contains_path(&self, path: &str) -> bool {
        match &self.reach {
            Reach::All => true,
            Reach::Subtrees(roots) => roots.iter().any(|r| path.starts_with(r.as_str())),
            Reach::Person(_) => false,
        }
    }

    /// Appends ` and (<path_column> in scope)` to a query.
    pub(crate) fn filter_org(&self, sql: &mut Sql, path_column: &str) {
        match &self.reach {
            Reach::All => {}
            Reach::Person(_) => {
                sql.push(" and 1 = 0");
            }
            Reach::Subtrees(roots) if roots.is_empty() => {
                sql.push(" and 1 = 0");
            }
            Reach::Subtrees(roots) => {
                sql.push(" and (");
                for (i, root) in roots.iter().enumerate() {
                    if i > 0 {
                        sql.push(" or ");
                    }
                    let (lo, hi) = subtree_range(root);
                    sql.push("(")
                        .push(path_column)
                        .push(" >= ")
                        .bind_text(lo)
                        .push(" and ")
                        .push(path_column)
                        .push(" < ")
                        .bind_text(hi)
                        .push(")");
                }
                sql.push(")");
            }
        }
    }

    /// Appends the condition that a person row (aliased `p`, joined to its keeping organisation
    /// `o`) is in scope.
    pub(crate) fn filter_person(&self, sql: &mut Sql) {
        match self.reach {
            Reach::Person(id) => {
                sql.push(" and p.person_id = ").bind_int(id);
            }
            _ => self.filter_org(sql, "o.path"),
        }
    }
}
