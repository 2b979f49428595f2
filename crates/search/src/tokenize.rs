//! The analyses of `analysis` as tantivy tokenizers, registered on the index under these names.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::analysis::{self, Gram};

/// Names: character unigrams and bigrams, words of letters and digits.
pub const NAME: &str = "kexie_name";
/// Employer, department, discipline: bigrams (single characters only where they stand alone).
pub const TEXT: &str = "kexie_text";
/// Jieba's words, for ranking.
pub const WORDS: &str = "kexie_words";

#[derive(Debug, Clone, Copy)]
pub enum Analysis {
    Name,
    Text,
    Words,
}

/// A tokenizer that runs one of the analyses over the whole value at once.
#[derive(Debug, Clone)]
pub struct KexieTokenizer(pub Analysis);

pub struct GramStream {
    grams: std::vec::IntoIter<Gram>,
    token: Token,
}

impl Tokenizer for KexieTokenizer {
    type TokenStream<'a> = GramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream {
        let text = analysis::normalise(text);
        let grams = match self.0 {
            Analysis::Name => analysis::grams(&text, true),
            Analysis::Text => analysis::grams(&text, false),
            Analysis::Words => analysis::words(&text),
        };
        GramStream {
            grams: grams.into_iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for GramStream {
    fn advance(&mut self) -> bool {
        match self.grams.next() {
            Some(g) => {
                self.token = Token {
                    offset_from: g.from,
                    offset_to: g.to,
                    position: g.position,
                    text: g.text,
                    position_length: 1,
                };
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

pub fn register(index: &tantivy::Index) {
    let manager = index.tokenizers();
    manager.register(NAME, KexieTokenizer(Analysis::Name));
    manager.register(TEXT, KexieTokenizer(Analysis::Text));
    manager.register(WORDS, KexieTokenizer(Analysis::Words));
}
