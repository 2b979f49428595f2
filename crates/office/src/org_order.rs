//! Parents before children: rows may name a parent defined further down the file, and the store
//! writes them top to bottom, so the valid rows are reordered and parent loops are refused.

use std::collections::HashMap;

use crate::orgs::OrgRow;
use crate::report::ImportReport;

/// Orders `rows` so that a parent defined in the file comes before its children, keeping file
/// order otherwise. Rows whose parent chain loops back on itself are reported (`parent.cycle`,
/// in the column headed `parent_header`) and left out.
pub(crate) fn parents_first(
    rows: Vec<OrgRow>,
    parent_header: &str,
    report: &mut ImportReport,
) -> Vec<OrgRow> {
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code.as_str(), i))
        .collect();
    let parent: Vec<Option<usize>> = rows
        .iter()
        .map(|r| r.parent_code.as_deref().and_then(|p| index.get(p).copied()))
        .collect();
    let cyclic = find_cycles(&parent);
    for (i, row) in rows.iter().enumerate().filter(|(i, _)| cyclic[*i]) {
        let message = format!("上级代码形成循环：{}", describe_loop(i, &rows, &parent));
        report.push_error(row.row, parent_header, "parent.cycle", message);
    }
    let mut placed = vec![false; rows.len()];
    let mut order = Vec::with_capacity(rows.len());
    for start in 0..rows.len() {
        // Walk up to the first ancestor already placed (or outside the file), then place the
        // chain from the top down. Iterative: a chain may be as long as the file.
        let mut chain = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            if placed[i] || cyclic[i] {
                break;
            }
            placed[i] = true;
            chain.push(i);
            at = parent[i];
        }
        order.extend(chain.into_iter().rev());
    }
    let mut slots: Vec<Option<OrgRow>> = rows.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Marks every row on a loop of parent links. Each row has at most one parent, so following
/// links from any row either leaves the file, reaches a row already settled, or comes back to
/// a row on the current walk: that last case is a loop.
fn find_cycles(parent: &[Option<usize>]) -> Vec<bool> {
    const NEW: u8 = 0;
    const WALKING: u8 = 1;
    const SETTLED: u8 = 2;
    let mut state = vec![NEW; parent.len()];
    let mut cyclic = vec![false; parent.len()];
    for start in 0..parent.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            if state[i] == WALKING {
                let from = path.iter().position(|&p| p == i).unwrap_or(0);
                for &p in &path[from..] {
                    cyclic[p] = true;
                }
            }
            if state[i] != NEW {
                break;
            }
            state[i] = WALKING;
            path.push(i);
            at = parent[i];
        }
        for p in path {
            state[p] = SETTLED;
        }
    }
    cyclic
}

/// "A → B → A", at most ten steps, for the message.
fn describe_loop(start: usize, rows: &[OrgRow], parent: &[Option<usize>]) -> String {
    let mut codes = vec![rows[start].code.as_str()];
    let mut at = parent[start];
    while let Some(i) = at {
        codes.push(rows[i].code.as_str());
        if i == start || codes.len() > 10 {
            break;
        }
        at = parent[i];
    }
    codes.join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_and_only_loops_are_found() {
        // 0 → 1 → 2 → 1 (loop 1-2), 3 → 0, 4 alone, 5 → itself.
        let parent = [Some(1), Some(2), Some(1), Some(0), None, Some(5)];
        assert_eq!(
            find_cycles(&parent),
            vec![false, true, true, false, false, true]
        );
    }
}
