//! Code generation for a valid input.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{
    DeriveInput, Generics, TraitBoundModifier, Type, TypeParamBound, WhereClause, WherePredicate,
};

use crate::ast::{Field, Input};
use crate::attr::{Function, Override};
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

/// `::alloc_runtime::__private`, or `<crate>::__private` with
/// `#[allocator(crate = "...")]`.
pub fn private_path(input: &Input<'_>) -> TokenStream {
    match &input.attrs.krate {
        Some(krate) => {
            let path = &krate.path;
            quote!(#path::__private)
        }
        None => quote!(::alloc_runtime::__private),
    }
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

/// The user's where-clause with `bound` appended.
fn where_clause(generics: &Generics, bound: &Bound) -> WhereClause {
    let mut clause = generics
        .where_clause
        .clone()
        .unwrap_or_else(|| WhereClause {
            where_token: Default::default(),
            predicates: Default::default(),
        });
    clause
        .predicates
        .push(syn::parse2(bound.predicate.clone()).expect("a where-predicate"));
    clause
}

/// `#[allow(unused_lifetimes)]` where a `for<'__global>` binder is used.
fn allow_binder(bound: &Bound) -> TokenStream {
    if bound.global {
        quote!(#[allow(unused_lifetimes)])
    } else {
        TokenStream::new()
    }
}

/// One error, at `ty`, if a global bound `ty: RawAlloc` does not hold.
fn assert_raw_alloc(private: &TokenStream, ty: &impl ToTokens) -> TokenStream {
    let ty = ty.to_token_stream();
    let span = ty.span();
    let check = quote_spanned!(span=> __assert_raw_alloc::<#ty>);
    quote! {
        fn __assert_raw_alloc<__A: ?::core::marker::Sized + #private::RawAlloc>() {}
        let _ = #check;
    }
}

fn expand(input: &Input<'_>) -> TokenStream {
    let private = private_path(input);
    let scope = Scope::new(input.generics);
    let raw_alloc = quote!(#private::RawAlloc);
    let ident = input.ident;
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let self_ty = quote!(#ident #ty_generics);

    // The type that must implement `RawAlloc` for the handle and the
    // allocator-api2 impl to work: the parent's, or the struct itself.
    let parent = input.parent();
    let required = match parent {
        Some(field) => Bound::new(&scope, field.ty, &raw_alloc),
        None => {
            let ty = quote_spanned!(ident.span()=> #self_ty);
            Bound::new(&scope, &ty, &raw_alloc)
        }
    };
    let assertion = if required.global {
        match parent {
            Some(field) => assert_raw_alloc(&private, field.ty),
            None => assert_raw_alloc(&private, &quote_spanned!(ident.span()=> #self_ty)),
        }
    } else {
        TokenStream::new()
    };

    let inherent = inherent_impl(input, &scope, &private, &required);
    let raw = parent.map(|field| raw_alloc_impl(input, field, &private, &required));
    let api2 = allocator_impl(input, &private, &required);

    quote! {
        const _: () = {
            #inherent
            #raw
            #api2
            #assertion
        };
    }
}

fn inherent_impl(
    input: &Input<'_>,
    scope: &Scope<'_>,
    private: &TokenStream,
    required: &Bound,
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

/// The delegating body of one of the four functions.
fn delegate(
    function: Function,
    over: Option<&Override>,
    parent: &Field<'_>,
    private: &TokenStream,
) -> TokenStream {
    let args = arguments(function);
    match over {
        Some(over) => {
            let path = &over.path;
            let span = path.span();
            let call = quote_spanned!(span=> #path(self, #(#args),*));
            quote!(unsafe { #call })
        }
        None => {
            let name = format_ident!("{}", function.name());
            let member = parent.member();
            let call = quote!(#private::RawAlloc::#name(&self.#member, #(#args),*));
            match function {
                Function::Alloc => call,
                Function::Resize | Function::Remap | Function::Free => quote!(unsafe { #call }),
            }
        }
    }
}

fn arguments(function: Function) -> Vec<syn::Ident> {
    let names: &[&str] = match function {
        Function::Alloc => &["__len", "__align", "__caller"],
        Function::Resize | Function::Remap => &["__memory", "__align", "__new_len", "__caller"],
        Function::Free => &["__memory", "__align", "__caller"],
    };
    names.iter().map(|name| format_ident!("{}", name)).collect()
}

fn raw_alloc_impl(
    input: &Input<'_>,
    parent: &Field<'_>,
    private: &TokenStream,
    required: &Bound,
) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = where_clause(input.generics, required);
    let allow = allow_binder(required);

    let body = |function: Function| {
        let over = input.attrs.override_of(function);
        let body = delegate(function, over, parent, private);
        let allow = if over.is_some() {
            quote!(#[allow(unused_unsafe)])
        } else {
            TokenStream::new()
        };
        (allow, body)
    };
    let (alloc_allow, alloc) = body(Function::Alloc);
    let (resize_allow, resize) = body(Function::Resize);
    let (remap_allow, remap) = body(Function::Remap);
    let (free_allow, free) = body(Function::Free);

    quote! {
        #[automatically_derived]
        #allow
        unsafe impl #impl_generics #private::RawAlloc for #ident #ty_generics #where_clause {
            #[inline(always)]
            #alloc_allow
            fn alloc(
                &self,
                __len: ::core::primitive::usize,
                __align: #private::Alignment,
                __caller: #private::Caller,
            ) -> #private::Option<#private::NonNull<::core::primitive::u8>> {
                #alloc
            }

            #[inline(always)]
            #resize_allow
            unsafe fn resize(
                &self,
                __memory: #private::NonNull<[::core::primitive::u8]>,
                __align: #private::Alignment,
                __new_len: ::core::primitive::usize,
                __caller: #private::Caller,
            ) -> ::core::primitive::bool {
                #resize
            }

            #[inline(always)]
            #remap_allow
            unsafe fn remap(
                &self,
                __memory: #private::NonNull<[::core::primitive::u8]>,
                __align: #private::Alignment,
                __new_len: ::core::primitive::usize,
                __caller: #private::Caller,
            ) -> #private::Option<#private::NonNull<::core::primitive::u8>> {
                #remap
            }

            #[inline(always)]
            #free_allow
            unsafe fn free(
                &self,
                __memory: #private::NonNull<[::core::primitive::u8]>,
                __align: #private::Alignment,
                __caller: #private::Caller,
            ) {
                #free
            }
        }
    }
}

fn allocator_impl(input: &Input<'_>, private: &TokenStream, required: &Bound) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = where_clause(input.generics, required);
    let allow = allow_binder(required);
    let result =
        quote!(#private::Result<#private::NonNull<[::core::primitive::u8]>, #private::AllocError>);
    let layout = quote!(#private::Layout);
    let bridge = quote!(#private::bridge);

    quote! {
        #[automatically_derived]
        #allow
        unsafe impl #impl_generics #private::Allocator for #ident #ty_generics #where_clause {
            #[inline(always)]
            #[track_caller]
            fn allocate(&self, __layout: #layout) -> #result {
                #bridge::allocate(self, __layout)
            }

            #[inline(always)]
            #[track_caller]
            fn allocate_zeroed(&self, __layout: #layout) -> #result {
                #bridge::allocate_zeroed(self, __layout)
            }

            #[inline(always)]
            #[track_caller]
            unsafe fn deallocate(&self, __ptr: #private::NonNull<::core::primitive::u8>, __layout: #layout) {
                unsafe { #bridge::deallocate(self, __ptr, __layout) }
            }

            #[inline(always)]
            #[track_caller]
            unsafe fn grow(
                &self,
                __ptr: #private::NonNull<::core::primitive::u8>,
                __old_layout: #layout,
                __new_layout: #layout,
            ) -> #result {
                unsafe { #bridge::grow(self, __ptr, __old_layout, __new_layout) }
            }

            #[inline(always)]
            #[track_caller]
            unsafe fn grow_zeroed(
                &self,
                __ptr: #private::NonNull<::core::primitive::u8>,
                __old_layout: #layout,
                __new_layout: #layout,
            ) -> #result {
                unsafe { #bridge::grow_zeroed(self, __ptr, __old_layout, __new_layout) }
            }

            #[inline(always)]
            #[track_caller]
            unsafe fn shrink(
                &self,
                __ptr: #private::NonNull<::core::primitive::u8>,
                __old_layout: #layout,
                __new_layout: #layout,
            ) -> #result {
                unsafe { #bridge::shrink(self, __ptr, __old_layout, __new_layout) }
            }
        }
    }
}
