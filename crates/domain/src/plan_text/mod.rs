//! Work plans pasted as plain text: sections, numbered tasks, their measures, deadlines and who
//! answers for them.
//!
//! A task breakdown table (任务分工表) copied out of a web page or a Word file arrives one cell
//! per line. Two layouts are read:
//!
//! - **the table of seeds/000**: a section heading ("2.扩大科协基层组织的有效覆盖"), then per
//!   task a line "(N)text" followed by its rows: measures (具体措施), a deadline phrase (完成时限),
//!   the lead leader (牵头领导, a person's name) and the department(s) (责任部门);
//! - **the prose plan of seeds/001**: "N.标题。正文…(责任单位:A、B、C)", the title being the
//!   task's text, the paragraph its measure and the parenthesis its responsible units
//!   ("牵头单位：…；配合单位：…" puts the lead units first).
//!
//! How a line is read (see `line.rs` and `junk.rs`): scraper junk (site banners, page numbers,
//! page furniture) is dropped, and a truncation note ("……(未完,全文共…字") ends the document; a
//! heading is "一、", "(一)" or a short "1."; a deadline is a short line that
//! [`parse_deadline`] understands or that opens with a year, a month, 每年, 长期, 持续 … or
//! depends on something ("(视网上科协平台建设进展情况)"); a leader is two to four Han
//! characters that are not a department; a department ends in 部/室/处/社/办/中心/会/局/委/厅/院/
//! 校/所/单位/协/组/站/馆 (or lists such names with 、); anything else under a task is a measure.
//!
//! **Merged cells.** A cell merged over several rows is scraped once, at its first row, so a
//! blank means "same as above":
//! - a task without a leader line has the previous task's leader; the same for departments;
//! - a task without a deadline line has the previous task's deadline, with `deadline_inherited`
//!   set. The text cannot tell a merged cell from an empty one: in seeds/000 item (14) ("鼓励
//!   科技工作者…开展创新创业") shares item (13)'s 2017–2020 span, but items (16)–(19) would
//!   inherit item (15)'s "2017年5月底前" too. The flag lets supervision show an inherited
//!   deadline as "同上" for a person to confirm instead of passing it off as written.
//! - Units are never carried down: seeds/001 names them for every task.
//!
//! When a task has several rows, the first deadline phrase and the first leader are the task's;
//! departments of every row are kept, joined with 、.
//!
//! **Sections.** A heading cut over two lines ("2.扩大科协基层" / "组织的有效覆盖") is joined;
//! a heading repeated at a page break (the same text, or the start of it) changes nothing.
//! A task's section is the innermost heading above it.
//!
//! **Errors.** Task numbers must grow. A task line whose number is not greater than the one
//! before is reported and skipped with its rows, unless it is the same task repeated at a page
//! break (same number and text: the rows continue that task) or a "(1)" after a new heading
//! (numbering restarts per section). Lines before the first task are the plan's preamble and
//! are skipped; a deadline, leader, department or unit line after a new heading but before its
//! first task belongs to no task and is reported (a short line right after a heading, even a
//! name-like one, is read as the end of the heading). Parsing never fails and never panics.

mod junk;
mod labels;
mod line;

use serde::{Deserialize, Serialize};

use crate::deadline::{parse_deadline, Deadline};

use labels::Labels;
use line::{Kind, Line};

/// What a pasted plan gives: its tasks in order and the lines that could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanParse {
    pub tasks: Vec<PlanTask>,
    pub errors: Vec<PlanError>,
}

/// One numbered task. The JSON shape (field names and order) is a stable contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanTask {
    /// The task's number, digits only: "5" for "(5)" or "（5）".
    pub number: String,
    /// The innermost section heading above the task, as written.
    pub section: Option<String>,
    pub text: String,
    /// 具体措施, one per line.
    pub measures: Vec<String>,
    /// 完成时限; `unknown` with an empty `input` when neither the task nor one above has one.
    pub deadline: Deadline,
    /// The deadline is the previous task's (a blank cell under a merged one).
    pub deadline_inherited: bool,
    /// 牵头领导.
    pub leader: Option<String>,
    /// 责任部门; several joined with 、.
    pub department: Option<String>,
    /// 责任单位, lead units (牵头单位) first and supporting ones (配合单位) last.
    pub units: Vec<String>,
}

/// A line that could not be placed; `line` counts from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanError {
    pub line: usize,
    pub message: String,
}

/// Reads a work plan pasted as text; `plan_year` is the plan's year, for deadlines written
/// without one ("6月底前"). Never fails: what cannot be placed is listed in `errors`.
pub fn parse_plan_text(text: &str, plan_year: Option<i32>) -> PlanParse {
    let mut parser = Parser {
        plan_year,
        ..Parser::default()
    };
    for (index, raw) in text.lines().enumerate() {
        let (kept, truncated) = junk::cut_truncation(raw);
        let kept = line::trim(kept);
        if !kept.is_empty() {
            parser.line(index + 1, &Line::new(&kept));
        }
        if truncated {
            break;
        }
    }
    parser.finish()
}

/// A task as read, before blanks are filled from the tasks above.
#[derive(Debug, Default)]
struct Draft {
    number: u32,
    section: Option<String>,
    text: String,
    measures: Vec<String>,
    deadline: Option<Deadline>,
    leader: Option<String>,
    departments: Vec<String>,
    labels: Labels,
}

#[derive(Debug)]
struct Heading {
    level: u8,
    text: String,
    continued: usize,
}

/// The last deadline phrase read, which the next line may finish.
#[derive(Debug)]
struct OpenDeadline {
    text: String,
    /// It is the current task's deadline (not a later row's, which is not kept).
    own: bool,
}

#[derive(Debug, Default)]
struct Parser {
    plan_year: Option<i32>,
    done: Vec<Draft>,
    current: Option<Draft>,
    /// Headings in force, outermost first, with their levels.
    sections: Vec<(u8, String)>,
    pending: Option<Heading>,
    open_deadline: Option<OpenDeadline>,
    /// A new heading came after the last task (a "(1)" may restart the numbering).
    new_section: bool,
    /// The rows of a rejected task line are being skipped.
    skipping: bool,
    errors: Vec<PlanError>,
}

impl Parser {
    fn line(&mut self, no: usize, line: &Line) {
        let kind = line::classify(line, self.plan_year);
        // "(5)" alone on its line has no words but is no page number.
        if !matches!(kind, Kind::Task { .. }) && junk::is_junk(line, self.plan_year) {
            return;
        }
        let plain = !matches!(
            kind,
            Kind::Task { .. } | Kind::Heading { .. } | Kind::Labels(_)
        );
        if let Some(h) = &mut self.pending {
            // A name-like line may end a heading ("5.加强思想" / "政治工作", seeds/000); a
            // deadline or a department does not.
            let heading_like = plain && !matches!(kind, Kind::Deadline | Kind::Department);
            if heading_like && h.continued < 2 && line::continues_heading(line) {
                h.text.push_str(&line.tail(0));
                h.continued += 1;
                return;
            }
            self.flush_heading();
        }
        if let Some(open) = self.open_deadline.take() {
            if plain && line::continues_deadline(&open.text, line) {
                self.set_deadline(format!("{}{}", open.text, line.tail(0)), open.own);
                return;
            }
        }
        match kind {
            Kind::Task {
                number,
                text,
                measure,
                labels,
            } => self.task(no, number, text, measure, labels),
            Kind::Heading { level, text } => {
                self.pending = Some(Heading {
                    level,
                    text,
                    continued: 0,
                })
            }
            Kind::Labels(labels) => {
                if let Some(task) = self.placed(no, line, true) {
                    task.labels.extend(labels);
                }
            }
            Kind::Deadline => {
                let own = self.placed(no, line, true).map(|t| t.deadline.is_none());
                if let Some(own) = own {
                    self.set_deadline(line.tail(0), own);
                }
            }
            Kind::Leader => {
                if let Some(task) = self.placed(no, line, true) {
                    task.leader.get_or_insert_with(|| line.tail(0));
                }
            }
            Kind::Department => {
                if let Some(task) = self.placed(no, line, true) {
                    let name = line.tail(0);
                    if !task.departments.contains(&name) {
                        task.departments.push(name);
                    }
                }
            }
            Kind::Text { text, labels } => {
                let data = !labels.is_empty();
                if let Some(task) = self.placed(no, line, data) {
                    task.labels.extend(labels);
                    if task.text.is_empty() {
                        // "(5)" alone on its line: the text follows.
                        task.text = text;
                    } else if !text.is_empty() {
                        task.measures.push(text);
                    }
                }
            }
        }
    }

    /// The task a row belongs to, or `None` (with an error when `data` is a row that must
    /// belong to a task: a deadline, a leader, a department, units).
    fn placed(&mut self, no: usize, line: &Line, data: bool) -> Option<&mut Draft> {
        if self.current.is_none() && data && !self.skipping && !self.done.is_empty() {
            self.errors.push(PlanError {
                line: no,
                message: format!(
                    "“{}”不属于任何任务（其上是新的标题，尚无任务编号），已略过",
                    line.tail(0)
                ),
            });
        }
        self.current.as_mut()
    }

    fn set_deadline(&mut self, phrase: String, own: bool) {
        if own {
            if let Some(task) = &mut self.current {
                task.deadline = Some(parse_deadline(&phrase, self.plan_year));
            }
        }
        self.open_deadline = Some(OpenDeadline { text: phrase, own });
    }

    fn task(
        &mut self,
        no: usize,
        number: u32,
        text: String,
        measure: Option<String>,
        labels: Labels,
    ) {
        let last = self.current.as_ref().or(self.done.last());
        if let Some(last) = last {
            if number == last.number && line::key(&text) == line::key(&last.text) {
                // The task cell repeated at a page break: its rows go on.
                if self.current.is_none() {
                    self.current = self.done.pop();
                }
                self.skipping = false;
                return;
            }
            let restart = number == 1 && self.new_section;
            if number <= last.number && !restart {
                let message = if number == last.number {
                    format!("任务编号（{number}）与上一任务重复，该任务及其下各行已略过")
                } else {
                    format!(
                        "任务编号（{number}）小于上一任务编号（{}），该任务及其下各行已略过",
                        last.number
                    )
                };
                self.errors.push(PlanError { line: no, message });
                self.close_task();
                self.skipping = true;
                return;
            }
        }
        self.close_task();
        self.current = Some(Draft {
            number,
            section: self.sections.last().map(|(_, s)| s.clone()),
            text,
            measures: measure.into_iter().collect(),
            labels,
            ..Draft::default()
        });
        self.new_section = false;
        self.skipping = false;
    }

    fn close_task(&mut self) {
        if let Some(task) = self.current.take() {
            self.done.push(task);
        }
        self.open_deadline = None;
    }

    fn flush_heading(&mut self) {
        let Some(h) = self.pending.take() else {
            return;
        };
        let new = line::key(&h.text);
        let repeated = self.sections.iter().any(|(level, text)| {
            let old = line::key(text);
            *level == h.level && (old.starts_with(&new) || new.starts_with(&old))
        });
        if repeated {
            return;
        }
        self.sections.retain(|(level, _)| *level < h.level);
        self.sections.push((h.level, h.text));
        self.close_task();
        self.new_section = true;
        self.skipping = false;
    }

    /// Closes the last task and fills blank cells from the task above.
    fn finish(mut self) -> PlanParse {
        self.flush_heading();
        self.close_task();
        let mut tasks: Vec<PlanTask> = Vec::with_capacity(self.done.len());
        for draft in self.done {
            let above = tasks.last();
            let (deadline, deadline_inherited) = match (draft.deadline, above) {
                (Some(own), _) => (own, false),
                (None, Some(above)) if !above.deadline.input.is_empty() => {
                    (above.deadline.clone(), true)
                }
                (None, _) => (parse_deadline("", self.plan_year), false),
            };
            let Labels {
                lead_units,
                units,
                support_units,
                departments,
                support_departments,
                leaders,
            } = draft.labels;
            let mut all_departments = departments;
            all_departments.extend(draft.departments);
            all_departments.extend(support_departments);
            let mut all_departments = dedup(all_departments);
            let department = match all_departments.len() {
                0 => above.and_then(|t| t.department.clone()),
                1 => all_departments.pop(),
                _ => Some(all_departments.join("、")),
            };
            let leader = leaders
                .into_iter()
                .next()
                .or(draft.leader)
                .or_else(|| above.and_then(|t| t.leader.clone()));
            tasks.push(PlanTask {
                number: draft.number.to_string(),
                section: draft.section,
                text: draft.text,
                measures: draft.measures,
                deadline,
                deadline_inherited,
                leader,
                department,
                units: dedup(
                    lead_units
                        .into_iter()
                        .chain(units)
                        .chain(support_units)
                        .collect(),
                ),
            });
        }
        PlanParse {
            tasks,
            errors: self.errors,
        }
    }
}

fn dedup(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}
