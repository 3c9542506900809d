//! Shows tokens the way a person writes them, for quoting the user's own
//! attribute back in an error message: `alloc = my::alloc`, not
//! `alloc = my :: alloc` as `TokenStream`'s `Display` would.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// What the previous token was, to decide on a space before the next one.
#[derive(Copy, Clone, PartialEq)]
enum Prev {
    Start,
    Word,
    /// A keyword that a type follows (`mut [u8]`, `dyn (Trait)`).
    Keyword,
    /// A punctuation character glued to the next one (`:` of `::`, `'` of a lifetime).
    Joint,
    /// `,` or a free-standing `=`: a space follows.
    Separator,
    Other,
}

/// `tokens` on one line, spaced as rustfmt would for paths and attributes.
pub fn render<T: ToTokens>(tokens: &T) -> String {
    let mut out = String::new();
    write(&mut out, tokens.to_token_stream());
    out
}

fn write(out: &mut String, tokens: TokenStream) {
    let mut prev = Prev::Start;
    for token in tokens {
        match token {
            TokenTree::Group(group) => {
                if prev == Prev::Separator
                    || (prev == Prev::Word && group.delimiter() == Delimiter::Brace)
                    || (prev == Prev::Keyword && group.delimiter() != Delimiter::None)
                {
                    out.push(' ');
                }
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{ ", " }"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                write(out, group.stream());
                out.push_str(close);
                prev = Prev::Other;
            }
            TokenTree::Ident(ident) => {
                if matches!(prev, Prev::Word | Prev::Keyword | Prev::Separator) {
                    out.push(' ');
                }
                let word = ident.to_string();
                prev = if matches!(
                    word.as_str(),
                    "mut" | "const" | "dyn" | "impl" | "as" | "in"
                ) {
                    Prev::Keyword
                } else {
                    Prev::Word
                };
                out.push_str(&word);
            }
            TokenTree::Literal(literal) => {
                if matches!(prev, Prev::Word | Prev::Keyword | Prev::Separator) {
                    out.push(' ');
                }
                out.push_str(&literal.to_string());
                prev = Prev::Word;
            }
            TokenTree::Punct(punct) => {
                let ch = punct.as_char();
                let alone = punct.spacing() == Spacing::Alone;
                let spaced_eq = ch == '=' && alone && prev != Prev::Joint && prev != Prev::Start;
                if spaced_eq || prev == Prev::Separator {
                    out.push(' ');
                }
                out.push(ch);
                prev = if !alone {
                    Prev::Joint
                } else if matches!(ch, ',' | ';' | '=') {
                    Prev::Separator
                } else {
                    Prev::Other
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::render;
    use syn::parse_quote;

    #[test]
    fn paths_and_metas() {
        let meta: syn::Meta = parse_quote!(alloc = my::alloc);
        assert_eq!(render(&meta), "alloc = my::alloc");
        let meta: syn::Meta = parse_quote!(unsafe(alloc = a, free = <T as Tr>::f::<u8>));
        assert_eq!(
            render(&meta),
            "unsafe(alloc = a, free = <T as Tr>::f::<u8>)"
        );
        let meta: syn::Meta = parse_quote!(crate = "x::y");
        assert_eq!(render(&meta), "crate = \"x::y\"");
        let ty: syn::Type = parse_quote!(&'a mut [u8; 4]);
        assert_eq!(render(&ty), "&'a mut [u8; 4]");
        let meta: syn::Meta = parse_quote!(parent = 1);
        assert_eq!(render(&meta), "parent = 1");
    }
}
