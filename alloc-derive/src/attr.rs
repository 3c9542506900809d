//! Parsing of `#[allocator(...)]` on the struct and on its fields.
//!
//! Every mistake is recorded in the [`Ctxt`] and parsing goes on, so that one
//! compile reports all of them. Each parsed piece keeps the attribute it came
//! from (`original`) and its own tokens, for error spans.
//!
//! The grammar:
//!
//! ```text
//! on the struct:  #[allocator(crate = "path", unsafe(alloc = path, alloc_zeroed = path, resize = path, remap = path, free = path), validate = path, route = path, global)]
//! on a field:     #[allocator(parent)]   (one field: a wrapper; two: a composite)
//! ```

use proc_macro2::{Delimiter, Group, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt as _};
use syn::ext::IdentExt as _;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, ExprPath, Ident, LitStr, Meta, Path, PathSegment, Token};

use crate::ctxt::Ctxt;
use crate::render::render;
use crate::symbol::{ALLOCATOR, CRATE, GLOBAL, PARENT, ROUTE, UNSAFE, VALIDATE};

/// One of the functions of `RawAlloc` that an override replaces: the four,
/// whose overrides are unsafe, and `validate`, whose override is safe.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Function {
    Alloc,
    AllocZeroed,
    Resize,
    Remap,
    Free,
    Validate,
}

impl Function {
    pub const ALL: [Function; 6] = [
        Function::Alloc,
        Function::AllocZeroed,
        Function::Resize,
        Function::Remap,
        Function::Free,
        Function::Validate,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Function::Alloc => "alloc",
            Function::AllocZeroed => "alloc_zeroed",
            Function::Resize => "resize",
            Function::Remap => "remap",
            Function::Free => "free",
            Function::Validate => "validate",
        }
    }

    /// Whether an override of it is an unsafe promise, written in
    /// `unsafe(...)`. A wrong answer from `validate` only misdiagnoses: its
    /// callers give up on `false` and go on, as without it, on `true`.
    pub const fn is_unsafe(self) -> bool {
        !matches!(self, Function::Validate)
    }

    fn from_path(path: &Path) -> Option<Function> {
        Function::ALL.into_iter().find(|f| path.is_ident(f.name()))
    }
}

/// `alloc = path` inside `#[allocator(unsafe(...))]`, or `validate = path`
/// directly in `#[allocator(...)]`.
pub struct Override {
    pub function: Function,
    /// `alloc = path` as written, for error spans.
    pub item: Item,
    /// The function to call instead of the parent's.
    pub path: ExprPath,
    /// Index into [`Container::groups`]: the `unsafe(...)` it sits in;
    /// `None` for `validate`, whose override is safe.
    pub group: Option<usize>,
}

/// `unsafe(...)` as written, for error spans.
pub struct UnsafeGroup {
    pub item: Item,
    /// The user's `unsafe` token: the generated `unsafe` block of each
    /// override in the group carries its span, so that the `unsafe_code`
    /// lint reports the override there.
    pub keyword: Span,
}

/// `crate = "path"`.
pub struct CratePath {
    pub item: Item,
    /// The path of the runtime crate, with the string literal's span.
    pub path: Path,
}

/// `route = path`: where a two-parent struct allocates.
pub struct RouteFn {
    /// `route = path` as written, for error spans.
    pub item: Item,
    /// The safe function that answers a `Route` for each allocation.
    pub path: ExprPath,
}

/// The `#[allocator(...)]` attributes of the struct.
pub struct Container {
    pub krate: Option<CratePath>,
    /// A `crate = ...` was written but could not be read, or an attribute
    /// could not be parsed at all: the fallback must not guess the path.
    pub krate_unknown: bool,
    pub overrides: Vec<Override>,
    pub groups: Vec<UnsafeGroup>,
    pub route: Option<RouteFn>,
    /// `global`: also implement `Standalone` (when the parents are) and
    /// `GlobalAlloc`, so the struct can be the `#[global_allocator]`.
    pub global: Option<Item>,
    /// `#[allow(unsafe_code)]` on the struct, carried over to the generated
    /// `RawAlloc` impl: a lint attribute on the struct does not reach the
    /// impls a derive writes beside it, and an override's `unsafe` block
    /// lives in one of those.
    pub allow_unsafe_code: bool,
}

/// `#[allocator(parent)]` on a field.
pub struct Parent<'a> {
    /// `#[allocator(parent)]`, for the error about a second parent.
    pub original: &'a Attribute,
    /// Written with a value (`parent = 1`) and reported for it: not
    /// reported again as a second parent.
    pub malformed: bool,
}

/// The `#[allocator(...)]` attributes of one field.
pub struct Field<'a> {
    /// Set even when written wrongly (`parent = 1`, already reported), so
    /// that the fallback knows a parent was meant.
    pub parent: Option<Parent<'a>>,
}

/// One comma-separated item of `#[allocator(...)]` or of `unsafe(...)`:
/// like `syn::Meta`, but the value after `=` is kept as tokens (up to the
/// next top-level comma) so that any mistake there gets our own message.
#[derive(Clone)]
pub struct Item {
    /// A path whose segments may be keywords (`crate`, `unsafe`).
    pub path: Path,
    pub kind: Kind,
}

#[derive(Clone)]
pub enum Kind {
    /// `parent`
    Word,
    /// `unsafe(...)`
    List(Group),
    /// `crate = "..."`
    Value(Token![=], TokenStream),
}

impl Parse for Item {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path = parse_meta_path(input)?;
        let kind = if input.peek(syn::token::Paren)
            || input.peek(syn::token::Bracket)
            || input.peek(syn::token::Brace)
        {
            match input.parse::<TokenTree>()? {
                TokenTree::Group(group) => Kind::List(group),
                _ => unreachable!("peeked a group"),
            }
        } else if input.peek(Token![=]) {
            let eq: Token![=] = input.parse()?;
            let value = parse_value(input)?;
            if value.is_empty() {
                return Err(syn::Error::new(
                    eq.span,
                    format!("expected a value after `{} =`", render(&path)),
                ));
            }
            Kind::Value(eq, value)
        } else {
            Kind::Word
        };
        Ok(Item { path, kind })
    }
}

impl ToTokens for Item {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.path.to_tokens(tokens);
        match &self.kind {
            Kind::Word => {}
            Kind::List(group) => tokens.append(group.clone()),
            Kind::Value(eq, value) => {
                eq.to_tokens(tokens);
                value.to_tokens(tokens);
            }
        }
    }
}

impl Item {
    fn name(&self) -> String {
        render(&self.path)
    }

    /// `(...)` and not `[...]` or `{...}`.
    fn parenthesized(group: &Group) -> bool {
        group.delimiter() == Delimiter::Parenthesis
    }
}

/// Like syn's private `parse_meta_path`: `a::b`, keywords allowed.
fn parse_meta_path(input: ParseStream<'_>) -> syn::Result<Path> {
    let leading_colon: Option<Token![::]> = input.parse()?;
    let mut segments = Punctuated::new();
    if input.peek(Ident::peek_any) {
        segments.push_value(PathSegment::from(Ident::parse_any(input)?));
    } else if input.is_empty() {
        return Err(input.error("expected a name, like `parent`"));
    } else {
        return Err(input.error("expected a name, like `parent`, found this"));
    }
    while input.peek(Token![::]) {
        segments.push_punct(input.parse()?);
        segments.push_value(PathSegment::from(Ident::parse_any(input)?));
    }
    Ok(Path {
        leading_colon,
        segments,
    })
}

/// The tokens up to the next comma that is not inside `<...>` or a group.
fn parse_value(input: ParseStream<'_>) -> syn::Result<TokenStream> {
    let mut value = TokenStream::new();
    let mut depth = 0usize;
    let mut after_hyphen = false;
    loop {
        if input.is_empty() || (depth == 0 && input.peek(Token![,])) {
            break;
        }
        let token: TokenTree = input.parse()?;
        let mut hyphen = false;
        if let TokenTree::Punct(punct) = &token {
            match punct.as_char() {
                '<' => depth += 1,
                // `->` inside a generic argument (`fn() -> T`) closes nothing.
                '>' if !after_hyphen => depth = depth.saturating_sub(1),
                '-' => hyphen = punct.spacing() == Spacing::Joint,
                _ => {}
            }
        }
        after_hyphen = hyphen;
        value.append(token);
    }
    Ok(value)
}

/// The items of `#[allocator(...)]`, or `None` after reporting why not.
fn arguments(cx: &Ctxt, attr: &Attribute, on_field: bool) -> Option<Punctuated<Item, Token![,]>> {
    let instead = if on_field {
        "write `#[allocator(parent)]` to delegate to this field"
    } else {
        "on a struct write `#[allocator(crate = \"...\")]` or `#[allocator(unsafe(alloc = ...))]`"
    };
    let list = match &attr.meta {
        Meta::List(list) => list,
        Meta::Path(_) => {
            cx.error_spanned_by(attr, format!("`#[allocator]` needs arguments; {instead}"));
            return None;
        }
        Meta::NameValue(name_value) => {
            cx.error_spanned_by(
                attr,
                format!(
                    "`#[allocator = {}]` is not an allocator attribute; {instead}",
                    render(&name_value.value)
                ),
            );
            return None;
        }
    };
    if !matches!(list.delimiter, syn::MacroDelimiter::Paren(_)) {
        cx.error_spanned_by(
            attr,
            format!(
                "`#[{}]` takes parentheses; write `#[allocator({})]`",
                render(&attr.meta),
                render(&list.tokens)
            ),
        );
        return None;
    }
    match list.parse_args_with(Punctuated::<Item, Token![,]>::parse_terminated) {
        Ok(items) => Some(items),
        Err(err) => {
            cx.syn_error(err);
            None
        }
    }
}

/// Whether `tokens` contain the word `crate`, at any depth.
fn mentions_crate(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == CRATE,
        TokenTree::Group(group) => mentions_crate(group.stream()),
        TokenTree::Punct(_) | TokenTree::Literal(_) => false,
    })
}

/// Whether `attrs` hold an `#[allow(..., unsafe_code, ...)]`.
fn allows_unsafe_code(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("allow"))
        .filter_map(|attr| {
            attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
                .ok()
        })
        .flatten()
        .any(|lint| lint.path().is_ident("unsafe_code"))
}

fn allocator_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|attr| attr.path() == ALLOCATOR)
}

impl Container {
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut container = Container {
            krate: None,
            krate_unknown: false,
            overrides: Vec::new(),
            groups: Vec::new(),
            route: None,
            global: None,
            allow_unsafe_code: allows_unsafe_code(attrs),
        };
        for attr in allocator_attrs(attrs) {
            let Some(items) = arguments(cx, attr, false) else {
                // Unreadable: it may have held the crate path.
                container.krate_unknown |= mentions_crate(attr.meta.to_token_stream());
                continue;
            };
            for item in items {
                container.item(cx, item);
            }
        }
        container
    }

    fn item(&mut self, cx: &Ctxt, item: Item) {
        if item.path == CRATE {
            self.crate_path(cx, item);
        } else if item.path == UNSAFE {
            self.unsafe_group(cx, item);
        } else if item.path == VALIDATE {
            self.safe_override(cx, item);
        } else if item.path == ROUTE {
            self.route(cx, item);
        } else if item.path == GLOBAL {
            self.global(cx, item);
        } else if let Some(function) = Function::from_path(&item.path) {
            let name = function.name();
            let written = render(&item);
            let suggestion = match &item.kind {
                Kind::Value(..) => written.clone(),
                Kind::Word | Kind::List(_) => format!("{name} = ..."),
            };
            cx.error_spanned_by(
                &item,
                format!(
                    "overriding `{name}` is unsafe; write `#[allocator(unsafe({suggestion}))]` instead of `#[allocator({written})]`"
                ),
            );
        } else if item.path == PARENT {
            cx.error_spanned_by(
                &item,
                "`#[allocator(parent)]` goes on the field to delegate to, not on the struct",
            );
        } else {
            cx.error_spanned_by(
                &item.path,
                format!(
                    "unknown attribute `{}` in `#[allocator(...)]` on a struct; expected `crate = \"...\"`, `unsafe(alloc = ..., ...)`, `validate = ...`, `route = ...` or `global`",
                    item.name()
                ),
            );
        }
    }

    fn crate_path(&mut self, cx: &Ctxt, item: Item) {
        let value = match &item.kind {
            Kind::Value(_, value) => value.clone(),
            Kind::Word | Kind::List(_) => {
                cx.error_spanned_by(
                    &item,
                    "`crate` needs a value; write `crate = \"path::to::alloc_runtime\"`",
                );
                self.krate_unknown = true;
                return;
            }
        };
        if let Some(first) = &self.krate {
            cx.error_spanned_by(
                &item,
                format!(
                    "duplicate `crate`: `{}` was given already; give the crate path once",
                    render(&first.item)
                ),
            );
            return;
        }
        let path = match syn::parse2::<LitStr>(value.clone()) {
            Ok(lit) => match lit.parse_with(Path::parse_mod_style) {
                Ok(path) => path,
                Err(_) => {
                    cx.error_spanned_by(
                        &lit,
                        format!(
                            "`crate = {}` is not a path; write the path of alloc_runtime, like `crate = \"alloc_runtime\"`",
                            render(&lit)
                        ),
                    );
                    self.krate_unknown = true;
                    return;
                }
            },
            Err(_) => {
                let suggestion = match syn::parse2::<Path>(value.clone()) {
                    Ok(path) => render(&path),
                    Err(_) => "path::to::alloc_runtime".to_owned(),
                };
                cx.error_spanned_by(
                    &value,
                    format!(
                        "`crate = {}` needs a string; write `crate = \"{suggestion}\"`",
                        render(&value)
                    ),
                );
                self.krate_unknown = true;
                return;
            }
        };
        self.krate = Some(CratePath { item, path });
    }

    fn unsafe_group(&mut self, cx: &Ctxt, item: Item) {
        let group = match &item.kind {
            Kind::List(group) if Item::parenthesized(group) => group.clone(),
            Kind::List(group) => {
                cx.error_spanned_by(
                    &item,
                    format!(
                        "`{}` takes parentheses; write `unsafe({})`",
                        render(&item),
                        render(&group.stream())
                    ),
                );
                return;
            }
            Kind::Word | Kind::Value(..) => {
                cx.error_spanned_by(
                    &item,
                    "`unsafe` takes the overrides in parentheses; write `unsafe(alloc = path::to::function)`",
                );
                return;
            }
        };
        let index = self.groups.len();
        let keyword = item
            .path
            .segments
            .first()
            .map_or_else(Span::call_site, |segment| segment.ident.span());
        let parser = Punctuated::<Item, Token![,]>::parse_terminated;
        match syn::parse::Parser::parse2(parser, group.stream()) {
            Ok(items) if items.is_empty() => {
                cx.error_spanned_by(
                    &item,
                    "`unsafe()` overrides nothing; write `unsafe(alloc = path::to::function)` or remove it",
                );
            }
            Ok(items) => {
                for entry in items {
                    self.override_entry(cx, index, entry);
                }
            }
            Err(err) => cx.syn_error(err),
        }
        self.groups.push(UnsafeGroup { item, keyword });
    }

    fn override_entry(&mut self, cx: &Ctxt, group: usize, entry: Item) {
        if entry.path == ROUTE {
            cx.error_spanned_by(
                &entry,
                format!(
                    "choosing a `route` is safe; write `#[allocator({})]` outside `unsafe(...)`",
                    render(&entry)
                ),
            );
            return;
        }
        let Some(function) = Function::from_path(&entry.path) else {
            cx.error_spanned_by(
                &entry.path,
                format!(
                    "unknown function `{}` in `unsafe(...)`; the functions that can be overridden are `alloc`, `resize`, `remap` and `free`, and `validate` outside `unsafe(...)`",
                    entry.name()
                ),
            );
            return;
        };
        if !function.is_unsafe() {
            cx.error_spanned_by(
                &entry,
                format!(
                    "overriding `validate` is safe; write `#[allocator({})]` outside `unsafe(...)`",
                    render(&entry)
                ),
            );
            return;
        }
        self.record_override(cx, Some(group), function, entry);
    }

    /// `validate = path`, directly in `#[allocator(...)]`.
    fn safe_override(&mut self, cx: &Ctxt, item: Item) {
        self.record_override(cx, None, Function::Validate, item);
    }

    /// `route = path`, directly in `#[allocator(...)]`.
    fn route(&mut self, cx: &Ctxt, item: Item) {
        let Some(path) = function_path(cx, &item, ROUTE.as_str()) else {
            return;
        };
        if let Some(first) = &self.route {
            cx.error_spanned_by(
                &item,
                format!(
                    "duplicate `route`: `{}` after `{}`; give the route function once",
                    render(&item),
                    render(&first.item)
                ),
            );
            return;
        }
        self.route = Some(RouteFn { item, path });
    }

    /// `global`, a bare word.
    fn global(&mut self, cx: &Ctxt, item: Item) {
        if !matches!(item.kind, Kind::Word) {
            cx.error_spanned_by(
                &item,
                format!(
                    "`global` takes no value; write `#[allocator(global)]` instead of `#[allocator({})]`",
                    render(&item)
                ),
            );
            return;
        }
        if self.global.is_some() {
            cx.error_spanned_by(&item, "duplicate `global`; write it once");
            return;
        }
        self.global = Some(item);
    }

    fn record_override(
        &mut self,
        cx: &Ctxt,
        group: Option<usize>,
        function: Function,
        entry: Item,
    ) {
        let name = function.name();
        let Some(path) = function_path(cx, &entry, name) else {
            return;
        };
        if let Some(first) = self.overrides.iter().find(|o| o.function == function) {
            cx.error_spanned_by(
                &entry,
                format!(
                    "duplicate override of `{name}`: `{}` after `{}`; override each function once",
                    render(&entry),
                    render(&first.item)
                ),
            );
            return;
        }
        self.overrides.push(Override {
            function,
            item: entry,
            path,
            group,
        });
    }

    /// The span of the `unsafe` keyword that `over` was written in.
    pub fn unsafe_keyword(&self, over: &Override) -> Option<Span> {
        over.group.map(|group| self.groups[group].keyword)
    }

    /// The override of `function`, if any.
    pub fn override_of(&self, function: Function) -> Option<&Override> {
        self.overrides.iter().find(|o| o.function == function)
    }
}

/// The path of `name = path`, or `None` after reporting why not.
fn function_path(cx: &Ctxt, entry: &Item, name: &str) -> Option<ExprPath> {
    let value = match &entry.kind {
        Kind::Value(_, value) => value,
        Kind::Word | Kind::List(_) => {
            cx.error_spanned_by(
                entry,
                format!(
                    "`{}` needs the function to call; write `{name} = path::to::function`",
                    render(entry)
                ),
            );
            return None;
        }
    };
    if let Ok(path) = syn::parse2::<ExprPath>(value.clone()) {
        Some(path)
    } else {
        cx.error_spanned_by(
            value,
            format!(
                "`{}` needs the path of a function; write `{name} = path::to::function`",
                render(entry)
            ),
        );
        None
    }
}

impl<'a> Field<'a> {
    pub fn from_ast(cx: &Ctxt, attrs: &'a [Attribute]) -> Self {
        let mut field = Field { parent: None };
        for attr in allocator_attrs(attrs) {
            let Some(items) = arguments(cx, attr, true) else {
                continue;
            };
            for item in items {
                field.item(cx, attr, item);
            }
        }
        field
    }

    fn item(&mut self, cx: &Ctxt, attr: &'a Attribute, item: Item) {
        if item.path == PARENT {
            let malformed = !matches!(item.kind, Kind::Word);
            if malformed {
                cx.error_spanned_by(
                    &item,
                    format!(
                        "`parent` takes no value; write `#[allocator(parent)]` instead of `#[allocator({})]`",
                        render(&item)
                    ),
                );
            } else if self.parent.is_some() {
                cx.error_spanned_by(&item, "duplicate `parent` on this field; write it once");
                return;
            }
            if self.parent.is_none() {
                self.parent = Some(Parent {
                    original: attr,
                    malformed,
                });
            }
        } else if item.path == CRATE
            || item.path == UNSAFE
            || item.path == ROUTE
            || Function::from_path(&item.path).is_some()
        {
            cx.error_spanned_by(
                &item,
                format!(
                    "`{}` goes on the struct, not on a field; move it to an `#[allocator(...)]` above the struct",
                    render(&item)
                ),
            );
        } else {
            cx.error_spanned_by(
                &item.path,
                format!(
                    "unknown attribute `{}` in `#[allocator(...)]` on a field; the only field attribute is `#[allocator(parent)]`",
                    item.name()
                ),
            );
        }
    }
}
