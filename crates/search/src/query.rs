//! What a search box's text asks the index.
//!
//! Every piece of the text must match (a run of Chinese characters, or a word of letters and
//! digits); how well it matches decides the order:
//!
//! - Chinese: its bigrams as a phrase in the name (weighted up) or in employer, department,
//!   discipline; so the hit contains the text itself, as `like '%…%'` would.
//! - letters and digits: a prefix of the pinyin from any syllable on, a prefix of the initials,
//!   an organisation's code, or a word of a name or employer.
//! - the whole text equal to a name, and jieba's words of the text, only add to the score.

use kexie_store::Scope;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::analysis::{self, Piece, MAX_PINYIN_PREFIX};
use crate::index::Fields;
use crate::Kind;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 64;

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boost(query: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, by))
}

/// A filter: must match, adds nothing to the score.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// The characters of a Chinese run as they were indexed: one character, one bigram, or the
/// bigrams of a longer run as a phrase.
fn chinese(field: Field, run: &str) -> Box<dyn Query> {
    let chars: Vec<char> = run.chars().collect();
    if chars.len() == 1 {
        return term(field, run);
    }
    let bigrams: Vec<Term> = chars
        .windows(2)
        .map(|w| Term::from_field_text(field, &w.iter().collect::<String>()))
        .collect();
    if bigrams.len() == 1 {
        Box::new(TermQuery::new(
            bigrams.into_iter().next().expect("one bigram"),
            IndexRecordOption::WithFreqs,
        ))
    } else {
        Box::new(PhraseQuery::new(bigrams))
    }
}

fn cut(word: &str, max: usize) -> String {
    word.chars().take(max).collect()
}

/// The query for `text` over documents of `kind` that `scope` reaches, or `None` when nothing
/// can match (empty text, or a scope that reaches no organisation).
pub(crate) fn build(
    fields: &Fields,
    text: &str,
    kind: Kind,
    scope: &Scope,
) -> Option<Box<dyn Query>> {
    let text = analysis::normalise(text);
    let pieces = analysis::pieces(&text);
    if pieces.is_empty() {
        return None;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for piece in &pieces {
        let alternatives: Vec<(Occur, Box<dyn Query>)> = match piece {
            Piece::Cjk(run, _) => vec![
                (Occur::Should, boost(chinese(fields.name, run), 3.0)),
                (Occur::Should, chinese(fields.text, run)),
            ],
            Piece::Word(word, _) => vec![
                (Occur::Should, boost(term(fields.name, word), 3.0)),
                (Occur::Should, term(fields.text, word)),
                (
                    Occur::Should,
                    boost(term(fields.pinyin, &cut(word, MAX_PINYIN_PREFIX)), 2.0),
                ),
                (
                    Occur::Should,
                    boost(term(fields.initials, &cut(word, MAX_PINYIN_PREFIX)), 1.5),
                ),
                (Occur::Should, boost(term(fields.code, word), 4.0)),
            ],
        };
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
    }
    clauses.push((
        Occur::Should,
        boost(term(fields.name_exact, &analysis::exact(&text)), 6.0),
    ));
    for word in analysis::words(&text) {
        clauses.push((Occur::Should, boost(term(fields.words, &word.text), 0.5)));
    }
    clauses.push(filter(term(fields.kind, kind.code())));
    match scope.subtree_paths() {
        None => {}
        Some([]) => match (scope.person_id(), kind) {
            // A member's own account finds their own record only.
            (Some(id), Kind::Person) => clauses.push(filter(term(fields.key, &format!("p{id}")))),
            _ => return None,
        },
        Some(paths) => clauses.push(filter(Box::new(TermSetQuery::new(
            paths.iter().map(|p| Term::from_field_text(fields.scope, p)),
        )))),
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}
