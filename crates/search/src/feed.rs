//! Keeping the index in step with the database: a full rebuild, and catching up from the change
//! log (`search_change`, written in the same transaction as each write) after the index's own
//! high-water mark. Every server node runs the feed over its own index, so each catches up by
//! itself; nothing is shared but the database.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use kexie_store::{Changed, Scope, SearchChange, Store};
use serde::Serialize;

use crate::index::{FeedState, FORMAT};
use crate::{SearchError, SearchIndex};

/// Rows read from the database per page.
const PAGE: i64 = 5_000;
/// Changes applied per commit.
const CHANGES_PER_COMMIT: i64 = 500;
/// How long a skipped change id is waited for. On PostgreSQL ids are handed out before commit,
/// so a change may appear after a later one was applied; one that never appears was rolled back.
const GAP_PATIENCE_MS: i64 = 10 * 60 * 1000;
/// Change ids below the high-water mark checked for stragglers after a rebuild.
const REBUILD_GAP_WINDOW: i64 = 1_000;
/// At most this many skipped ids are remembered (oldest forgotten first).
const MAX_GAPS: usize = 10_000;

/// What a rebuild did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rebuilt {
    pub persons: u64,
    pub orgs: u64,
    /// The change the index reflects after it.
    pub applied_through: i64,
    pub seconds: f64,
}

/// What a catch-up did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaughtUp {
    /// Change-log rows applied.
    pub changes: u64,
    /// People and organisations (re)indexed.
    pub persons: u64,
    pub orgs: u64,
    /// Whether the index had to be built from scratch (new, from another database, or of an
    /// older format).
    pub rebuilt: bool,
    pub applied_through: i64,
    pub seconds: f64,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl SearchIndex {
    /// Rebuilds the whole index from the database. Searches see the old index until the new
    /// one is committed; a failure leaves the old one in place.
    pub async fn rebuild(&self, store: &Store) -> Result<Rebuilt, SearchError> {
        let _one = self.inner.applying.lock().await;
        let result = self.rebuild_locked(store).await;
        if result.is_err() {
            self.blocking(|inner| {
                inner.rollback();
                Ok(())
            })
            .await?;
        }
        result
    }

    async fn rebuild_locked(&self, store: &Store) -> Result<Rebuilt, SearchError> {
        let started = Instant::now();
        let all = Scope::everything();
        let epoch = store.search_epoch().await?;
        // Until the new index is committed, the old one is not to be trusted (it may come from
        // another database, whose ids mean other people): searches find nothing meanwhile.
        self.set_state(None);
        // The mark is read before the rows: a change committed meanwhile is applied again by
        // the next catch-up, which rereads its rows.
        let applied = store.search_change_max().await?;
        let recent = store
            .search_changes_after((applied - REBUILD_GAP_WINDOW).max(0), REBUILD_GAP_WINDOW)
            .await?;
        let gaps = missing((applied - REBUILD_GAP_WINDOW).max(0), applied, &recent);
        let (max_person, max_org) = store.search_id_bounds().await?;
        self.blocking(|inner| inner.delete_all()).await?;
        let mut orgs = 0u64;
        let mut after = 0;
        loop {
            let page = store.orgs_for_index(&all, after, max_org, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.org_id;
            orgs += page.len() as u64;
            self.blocking(move |inner| inner.put_orgs(&page)).await?;
        }
        let mut persons = 0u64;
        let mut after = 0;
        loop {
            let page = store
                .persons_for_index(&all, after, max_person, PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.person_id;
            persons += page.len() as u64;
            self.blocking(move |inner| inner.put_persons(&page)).await?;
        }
        let now = now_ms();
        let state = FeedState {
            format: FORMAT,
            epoch,
            applied,
            gaps: gaps.into_iter().map(|id| (id, now)).collect(),
        };
        self.blocking(move |inner| inner.commit(state)).await?;
        tracing::info!(persons, orgs, applied, "search index rebuilt");
        Ok(Rebuilt {
            persons,
            orgs,
            applied_through: applied,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// Applies the changes logged since the index's high-water mark (and any skipped earlier
    /// that have appeared since). An index that is new, of another database or another format
    /// is rebuilt instead.
    pub async fn catch_up(&self, store: &Store) -> Result<CaughtUp, SearchError> {
        let started = Instant::now();
        let state = self.state();
        let fresh = match &state {
            None => true,
            Some(s) => {
                s.format != FORMAT
                    || s.epoch != store.search_epoch().await?
                    || s.applied > store.search_change_max().await?
            }
        };
        if fresh {
            let r = self.rebuild(store).await?;
            return Ok(CaughtUp {
                changes: 0,
                persons: r.persons,
                orgs: r.orgs,
                rebuilt: true,
                applied_through: r.applied_through,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        let _one = self.inner.applying.lock().await;
        let mut done = CaughtUp {
            changes: 0,
            persons: 0,
            orgs: 0,
            rebuilt: false,
            applied_through: 0,
            seconds: 0.0,
        };
        // No state: a rebuild failed meanwhile, and the next round starts afresh.
        while let Some(mut state) = self.state() {
            let gap_ids: Vec<i64> = state.gaps.iter().map(|g| g.0).collect();
            let late = store.search_changes_in(&gap_ids).await?;
            let next = store
                .search_changes_after(state.applied, CHANGES_PER_COMMIT)
                .await?;
            let now = now_ms();
            let before = state.gaps.len();
            state.gaps.retain(|(id, since)| {
                now - since < GAP_PATIENCE_MS && !late.iter().any(|c| c.change_id == *id)
            });
            if late.is_empty() && next.is_empty() {
                if state.gaps.len() != before {
                    // Only expired gaps to forget: save that, nothing else changed.
                    self.blocking(move |inner| inner.commit(state)).await?;
                }
                break;
            }
            let result = self.apply(store, late.iter().chain(&next), &mut done).await;
            if let Err(e) = result {
                self.blocking(|inner| {
                    inner.rollback();
                    Ok(())
                })
                .await?;
                return Err(e);
            }
            if let Some(last) = next.last() {
                for id in missing(state.applied, last.change_id, &next) {
                    state.gaps.push((id, now));
                }
                state.applied = last.change_id;
            }
            if state.gaps.len() > MAX_GAPS {
                let excess = state.gaps.len() - MAX_GAPS;
                tracing::warn!(forgotten = excess, "too many skipped search changes");
                state.gaps.drain(..excess);
            }
            done.changes += (late.len() + next.len()) as u64;
            self.blocking(move |inner| inner.commit(state)).await?;
        }
        done.applied_through = self.applied_through();
        done.seconds = started.elapsed().as_secs_f64();
        Ok(done)
    }

    async fn apply(
        &self,
        store: &Store,
        changes: impl Iterator<Item = &SearchChange>,
        done: &mut CaughtUp,
    ) -> Result<(), SearchError> {
        let all = Scope::everything();
        for change in changes {
            let (first, last) = (change.first_id, change.last_id);
            match change.changed {
                Changed::Person => {
                    self.blocking(move |inner| inner.delete_range("person", first, last))
                        .await?;
                    let mut after = first - 1;
                    loop {
                        let page = store.persons_for_index(&all, after, last, PAGE).await?;
                        let Some(p) = page.last() else { break };
                        after = p.person_id;
                        done.persons += page.len() as u64;
                        self.blocking(move |inner| inner.put_persons(&page)).await?;
                    }
                }
                Changed::Org => {
                    self.blocking(move |inner| inner.delete_range("org", first, last))
                        .await?;
                    let mut after = first - 1;
                    loop {
                        let page = store.orgs_for_index(&all, after, last, PAGE).await?;
                        let Some(o) = page.last() else { break };
                        after = o.org_id;
                        done.orgs += page.len() as u64;
                        self.blocking(move |inner| inner.put_orgs(&page)).await?;
                    }
                }
                Changed::OrgTree => {
                    let mut after = (0, 0);
                    loop {
                        let (orgs, persons) =
                            store.subtree_for_index(&all, first, after, PAGE).await?;
                        if orgs.is_empty() && persons.is_empty() {
                            break;
                        }
                        if let Some(o) = orgs.last() {
                            after.0 = o.org_id;
                        } else {
                            after.0 = i64::MAX;
                        }
                        if let Some(p) = persons.last() {
                            after.1 = p.person_id;
                        } else {
                            after.1 = i64::MAX;
                        }
                        done.orgs += orgs.len() as u64;
                        done.persons += persons.len() as u64;
                        self.blocking(move |inner| {
                            inner.put_orgs(&orgs)?;
                            inner.put_persons(&persons)
                        })
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Runs index work (analysis, writing, committing) off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&crate::index::Inner) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|e| SearchError::Io(format!("index task: {e}")))?
    }

    /// Starts the feed: catches up now and then every `every`, until the returned handle is
    /// dropped. Failures are logged and retried (the next round starts from the same mark).
    pub fn spawn_feed(&self, store: Store, every: Duration) -> Feed {
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let index = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = index.catch_up(&store).await {
                    tracing::warn!(error = %e, "search index catch-up failed; retrying");
                }
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tokio::time::sleep(every) => {}
                }
            }
        });
        Feed { _stop: stop }
    }
}

/// The running feed; dropping it stops it.
pub struct Feed {
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Ids in `after < id <= upto` that `seen` does not hold.
fn missing(after: i64, upto: i64, seen: &[SearchChange]) -> Vec<i64> {
    let seen: BTreeSet<i64> = seen.iter().map(|c| c.change_id).collect();
    ((after + 1)..=upto)
        .filter(|id| !seen.contains(id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: i64) -> SearchChange {
        SearchChange {
            change_id: id,
            changed: Changed::Person,
            first_id: 1,
            last_id: 1,
        }
    }

    #[test]
    fn skipped_change_ids_are_found() {
        assert_eq!(missing(3, 8, &[change(4), change(6), change(8)]), [5, 7]);
        assert!(missing(3, 3, &[]).is_empty());
    }
}
