//! Code generation for a valid input.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{
    DeriveInput, Generics, TraitBoundModifier, Type, TypeParamBound, WhereClause, WherePredicate,
};

use crate::ast::{Field, Input, Shape};
use crate::attr::Function;
use crate::ctxt::Ctxt;
use crate::{fallback, valid};

/// The whole output of `#[derive(Allocator)]` for `input`: the impls, or
/// the errors plus stand-ins that keep the rest of the user's code quiet.
pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let ast = Input::from_syn(&cx, input);
    valid::check(&cx, &ast);
    match cx.check() {
        Ok(()) => expand(&ast),
        Err(errors) => fallback::expand(&ast, &errors),
    }
}

/// `::alloc_runtime`, or the path given with `#[allocator(crate = "...")]`.
pub fn crate_path(input: &Input<'_>) -> TokenStream {
    match &input.attrs.krate {
        Some(krate) => krate.path.to_token_stream(),
        None => quote!(::alloc_runtime),
    }
}

/// `::alloc_runtime::__private`, or `<crate>::__private` with
/// `#[allocator(crate = "...")]`.
pub fn private_path(input: &Input<'_>) -> TokenStream {
    let krate = crate_path(input);
    quote!(#krate::__private)
}

/// What the generic parameters of the struct are, to tell a bound that
/// depends on them from a "global" one that rustc checks at the definition.
struct Scope<'a> {
    generics: &'a Generics,
    /// Type and const parameters.
    names: Vec<String>,
    /// Lifetime parameters, without the `'`.
    lifetimes: Vec<String>,
}

impl<'a> Scope<'a> {
    fn new(generics: &'a Generics) -> Self {
        let names = generics
            .type_params()
            .map(|param| param.ident.to_string())
            .chain(generics.const_params().map(|param| param.ident.to_string()))
            .collect();
        let lifetimes = generics
            .lifetimes()
            .map(|param| param.lifetime.ident.to_string())
            .collect();
        Scope {
            generics,
            names,
            lifetimes,
        }
    }

    /// Whether `tokens` (a type) names a generic parameter of the struct,
    /// or `Self` of a generic struct.
    fn mentions_params(&self, tokens: TokenStream) -> bool {
        let mut after_quote = false;
        for token in tokens {
            let found = match &token {
                TokenTree::Group(group) => self.mentions_params(group.stream()),
                TokenTree::Ident(ident) => {
                    let name = ident.to_string();
                    if after_quote {
                        self.lifetimes.contains(&name)
                    } else {
                        self.names.contains(&name)
                            || (name == "Self" && !self.generics.params.is_empty())
                    }
                }
                TokenTree::Punct(_) | TokenTree::Literal(_) => false,
            };
            if found {
                return true;
            }
            after_quote = matches!(&token, TokenTree::Punct(p) if p.as_char() == '\'');
        }
        false
    }

    /// Whether the struct may be unsized: its last field's type names a
    /// `?Sized` parameter and is no reference or pointer (`inner: A` with
    /// `A: ?Sized`, not `&'a A`). `Handle::new` needs a sized allocator.
    fn maybe_unsized(&self, fields: &[Field<'_>]) -> bool {
        let Some(last) = fields.last() else {
            return false;
        };
        if matches!(last.ty, Type::Reference(_) | Type::Ptr(_)) {
            return false;
        }
        let is_maybe = |bound: &TypeParamBound| matches!(bound, TypeParamBound::Trait(t) if matches!(t.modifier, TraitBoundModifier::Maybe(_)));
        let mut unsized_params = self
            .generics
            .type_params()
            .filter(|param| param.bounds.iter().any(is_maybe))
            .map(|param| param.ident.to_token_stream())
            .collect::<Vec<_>>();
        if let Some(clause) = &self.generics.where_clause {
            for predicate in &clause.predicates {
                if let WherePredicate::Type(t) = predicate {
                    if t.bounds.iter().any(is_maybe) {
                        unsized_params.push(t.bounded_ty.to_token_stream());
                    }
                }
            }
        }
        let ty = last.ty.to_token_stream().to_string();
        unsized_params.iter().any(|param| {
            let param = param.to_string();
            ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| word == param)
        })
    }
}

/// `ty: bound` for a where-clause.
///
/// A bound that names no generic parameter is "global", and rustc rejects a
/// false global bound at the definition (trivial bounds are unstable), once
/// per impl. Such a bound is written under a `for<'__global>` binder, which
/// rustc leaves to the use sites, and checked once by [`assert_raw_alloc`].
struct Bound {
    predicate: TokenStream,
    global: bool,
}

impl Bound {
    fn new(scope: &Scope<'_>, ty: &impl ToTokens, bound: &TokenStream) -> Bound {
        let ty = ty.to_token_stream();
        let span = ty.span();
        if scope.mentions_params(ty.clone()) {
            Bound {
                predicate: quote_spanned!(span=> #ty: #bound),
                global: false,
            }
        } else {
            Bound {
                predicate: quote!(for<'__global> #ty: #bound),
                global: true,
            }
        }
    }
}

/// The user's where-clause with `bounds` appended.
fn where_clause(generics: &Generics, bounds: &[Bound]) -> WhereClause {
    let mut clause = generics
        .where_clause
        .clone()
        .unwrap_or_else(|| WhereClause {
            where_token: Default::default(),
            predicates: Default::default(),
        });
    for bound in bounds {
        clause
            .predicates
            .push(syn::parse2(bound.predicate.clone()).expect("a where-predicate"));
    }
    clause
}

/// `#[allow(unused_lifetimes)]` where a `for<'__global>` binder is used.
fn allow_binder(bounds: &[Bound]) -> TokenStream {
    if bounds.iter().any(|bound| bound.global) {
        quote!(#[allow(unused_lifetimes)])
    } else {
        TokenStream::new()
    }
}

/// One error, at `ty`, if a global bound `ty: trait` does not hold: `RawAlloc`
/// for the struct itself, `ParentAllocator` (`RawAlloc` with a message about
/// the parent field) for a parent.
fn assert_raw_alloc(bound: &TokenStream, tys: &[TokenStream]) -> TokenStream {
    assert_bound(&format_ident!("__assert_raw_alloc"), bound, tys)
}

/// `fn name<__A: bound>()` and one `let _ = name::<ty>` per type, spanned
/// at the type, or nothing without types.
fn assert_bound(name: &syn::Ident, bound: &TokenStream, tys: &[TokenStream]) -> TokenStream {
    if tys.is_empty() {
        return TokenStream::new();
    }
    let checks = tys.iter().map(|ty| {
        let span = ty.span();
        let check = quote_spanned!(span=> #name::<#ty>);
        quote!(let _ = #check;)
    });
    quote! {
        fn #name<__A: ?::core::marker::Sized + #bound>() {}
        #(#checks)*
    }
}

fn expand(input: &Input<'_>) -> TokenStream {
    let private = private_path(input);
    let scope = Scope::new(input.generics);
    let raw_alloc = quote!(#private::RawAlloc);
    let owns = quote!(#private::Owns);
    let ident = input.ident;
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let self_ty = quote!(#ident #ty_generics);

    // The types that must implement `RawAlloc` (and, for the first part of
    // a pair, `Owns`) for the handle and the allocator-api2 impl to work:
    // the parents', or the struct itself. Global ones are asserted once,
    // at the type.
    let (required, assertion, raw) = match input.shape() {
        Shape::Own => {
            let ty = quote_spanned!(ident.span()=> #self_ty);
            let required = vec![Bound::new(&scope, &ty, &raw_alloc)];
            let global = global_types(&required, [ty]);
            let assertion = assert_raw_alloc(&raw_alloc, &global);
            (required, assertion, TokenStream::new())
        }
        Shape::Wrapper(field) => {
            let required = vec![Bound::new(&scope, field.ty, &raw_alloc)];
            let global = global_types(&required, [field.ty.to_token_stream()]);
            let assertion = assert_raw_alloc(&quote!(#private::ParentAllocator), &global);
            let raw = raw_alloc_impl(input, field, &private, &required);
            (required, assertion, raw)
        }
        Shape::Pair(first, second) => {
            let required = vec![
                Bound::new(&scope, first.ty, &quote!(#raw_alloc + #owns)),
                Bound::new(&scope, second.ty, &raw_alloc),
            ];
            let global = global_types(
                &required,
                [first.ty.to_token_stream(), second.ty.to_token_stream()],
            );
            let first_global = global_types(&required[..1], [first.ty.to_token_stream()]);
            let assertion = [
                assert_raw_alloc(&quote!(#private::ParentAllocator), &global),
                assert_bound(&format_ident!("__assert_owns"), &owns, &first_global),
            ]
            .into_iter()
            .collect();
            let raw = pair_impl(input, first, second, &private, &required);
            (required, assertion, raw)
        }
    };

    let inherent = inherent_impl(input, &scope, &private, &required);
    let api2 = allocator_impl(input, &private, &required);
    let global = global_impl(input, &scope, &private, &required);

    quote! {
        const _: () = {
            #inherent
            #raw
            #api2
            #global
            #assertion
        };
    }
}

/// With `#[allocator(global)]`: `Standalone` when every parent is (the
/// struct's own `RawAlloc` impl must bring its own `Standalone` impl), and
/// `GlobalAlloc` through the runtime's `global_alloc!`, which writes the
/// `unsafe impl` and requires `Self: RawAlloc + Standalone`. A parent that is
/// not `Standalone` is reported once, at its type.
fn global_impl(
    input: &Input<'_>,
    scope: &Scope<'_>,
    private: &TokenStream,
    required: &[Bound],
) -> TokenStream {
    if input.attrs.global.is_none() {
        return TokenStream::new();
    }
    let ident = input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let standalone = quote!(#private::Standalone);
    let parents: Vec<TokenStream> = match input.shape() {
        Shape::Own => Vec::new(),
        Shape::Wrapper(field) => vec![field.ty.to_token_stream()],
        Shape::Pair(first, second) => vec![first.ty.to_token_stream(), second.ty.to_token_stream()],
    };
    let standalone_impl = if parents.is_empty() {
        TokenStream::new()
    } else {
        let bounds: Vec<Bound> = parents
            .iter()
            .map(|ty| Bound::new(scope, ty, &standalone))
            .collect();
        let global_parents: Vec<TokenStream> = bounds
            .iter()
            .zip(&parents)
            .filter(|(bound, _)| bound.global)
            .map(|(_, ty)| ty.clone())
            .collect();
        let assertion = assert_bound(
            &format_ident!("__assert_standalone"),
            &standalone,
            &global_parents,
        );
        let predicates = where_clause(input.generics, &bounds).predicates;
        let allow = allow_binder(&bounds);
        quote! {
            #[automatically_derived]
            #allow
            impl #impl_generics #standalone for #ident #ty_generics where #predicates {}
            #assertion
        }
    };
    let predicates = where_clause(input.generics, required).predicates;
    let allow = allow_binder(required);
    quote! {
        #standalone_impl
        #private::global_alloc! {
            #allow
            impl [#impl_generics] #ident #ty_generics where [#predicates]
        }
    }
}

/// The types of `tys` whose bound in `bounds` (same order) is global.
fn global_types<const N: usize>(bounds: &[Bound], tys: [TokenStream; N]) -> Vec<TokenStream> {
    bounds
        .iter()
        .zip(tys)
        .filter(|(bound, _)| bound.global)
        .map(|(_, ty)| ty)
        .collect()
}

fn inherent_impl(
    input: &Input<'_>,
    scope: &Scope<'_>,
    private: &TokenStream,
    required: &[Bound],
) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = where_clause(input.generics, required);
    let allow = allow_binder(required);

    // `Handle::new` takes a sized allocator; `Self: Sync` is global for a
    // struct without parameters, see `Bound`.
    let sized = if scope.maybe_unsized(input.fields()) {
        quote!(Self: ::core::marker::Sized,)
    } else {
        TokenStream::new()
    };
    let sync = if input.generics.params.is_empty() {
        quote!(for<'__global> Self: #private::Sync)
    } else {
        quote!(Self: #private::Sync)
    };
    let allow_sync = if input.generics.params.is_empty() {
        quote!(#[allow(unused_lifetimes)])
    } else {
        TokenStream::new()
    };
    let sized_clause = if sized.is_empty() {
        TokenStream::new()
    } else {
        quote!(where #sized)
    };

    quote! {
        #[automatically_derived]
        #allow
        impl #impl_generics #ident #ty_generics #where_clause {
            /// Returns the type-erased handle to this allocator: a pointer
            /// to it and the table of its four functions.
            #[inline(always)]
            #[must_use]
            pub fn allocator(&self) -> #private::Handle<'_> #sized_clause {
                #private::Handle::new(self)
            }

            /// Returns the type-erased handle to this allocator that may be
            /// sent to and shared with other threads.
            #[inline(always)]
            #[must_use]
            #allow_sync
            pub fn sync_allocator(&self) -> #private::Handle<'_, #private::ThreadSafe>
            where
                #sized
                #sync,
            {
                #private::Handle::new_sync(self)
            }
        }
    }
}

/// The override of `function`, as `delegate_raw_alloc!` takes it: nothing
/// (forward to the parent), an `unsafe { path(self, ...) }` block whose
/// `unsafe` and braces carry the span of the user's `unsafe` token, so that
/// the `unsafe_code` lint reports it there, or the path of a safe `validate`.
fn override_tokens(input: &Input<'_>, function: Function) -> TokenStream {
    let Some(over) = input.attrs.override_of(function) else {
        return TokenStream::new();
    };
    let path = &over.path;
    match input.attrs.unsafe_keyword(over) {
        Some(keyword) => {
            let args = arguments(function);
            let call = quote_spanned!(path.span()=> #path(self, #(#args),*));
            quote_spanned!(keyword=> unsafe { #call })
        }
        None => quote!(#path),
    }
}

fn arguments(function: Function) -> Vec<syn::Ident> {
    let names: &[&str] = match function {
        Function::Alloc | Function::AllocZeroed => &["__len", "__align", "__caller"],
        Function::Resize | Function::Remap => &["__memory", "__align", "__new_len", "__caller"],
        Function::Free | Function::Validate => &["__memory", "__align", "__caller"],
    };
    names.iter().map(|name| format_ident!("{}", name)).collect()
}

/// `RawAlloc` forwarded to the parent, through the runtime's
/// `delegate_raw_alloc!`, which writes the `unsafe impl`.
fn raw_alloc_impl(
    input: &Input<'_>,
    parent: &Field<'_>,
    private: &TokenStream,
    required: &[Bound],
) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let predicates = where_clause(input.generics, required).predicates;
    let allow = allow_binder(required);
    let member = parent.member();
    let parent_ty = parent.ty;
    let alloc = override_tokens(input, Function::Alloc);
    let alloc_zeroed = override_tokens(input, Function::AllocZeroed);
    let resize = override_tokens(input, Function::Resize);
    let remap = override_tokens(input, Function::Remap);
    let free = override_tokens(input, Function::Free);
    let validate = override_tokens(input, Function::Validate);
    let allow_unsafe = if input.attrs.allow_unsafe_code {
        quote!(#[allow(unsafe_code)])
    } else {
        TokenStream::new()
    };

    quote! {
        #private::delegate_raw_alloc! {
            #allow
            #allow_unsafe
            impl [#impl_generics] #ident #ty_generics where [#predicates];
            parent = #member: #parent_ty;
            names = (self, __len, __align, __memory, __new_len, __caller);
            alloc = [#alloc];
            alloc_zeroed = [#alloc_zeroed];
            resize = [#resize];
            remap = [#remap];
            free = [#free];
            validate = [#validate];
        }
    }
}

/// `RawAlloc` and `Owns` of a struct with two parents, through the
/// runtime's `pair_raw_alloc!`, which writes the `unsafe impl`s: allocation
/// where the `route` function says (first, then second, without one), the
/// rest to the part whose `Owns` claims the block.
fn pair_impl(
    input: &Input<'_>,
    first: &Field<'_>,
    second: &Field<'_>,
    private: &TokenStream,
    required: &[Bound],
) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let predicates = where_clause(input.generics, required).predicates;
    let allow = allow_binder(required);
    let (first_member, first_ty) = (first.member(), first.ty);
    let (second_member, second_ty) = (second.member(), second.ty);
    let route = input.attrs.route.as_ref().map(|route| &route.path);

    quote! {
        #private::pair_raw_alloc! {
            #allow
            impl [#impl_generics] #ident #ty_generics where [#predicates];
            first = #first_member: #first_ty;
            second = #second_member: #second_ty;
            route = [#route];
        }
    }
}

/// allocator-api2's `Allocator` through the runtime's `impl_allocator!`,
/// which writes the `unsafe impl`.
fn allocator_impl(input: &Input<'_>, private: &TokenStream, required: &[Bound]) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let predicates = where_clause(input.generics, required).predicates;
    let allow = allow_binder(required);

    quote! {
        #private::impl_allocator! {
            #allow
            impl [#impl_generics] #ident #ty_generics where [#predicates]
        }
    }
}
