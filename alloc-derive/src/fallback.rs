//! Output for an input with mistakes: the errors, plus stand-ins for what a
//! correct derive would have generated, so that the rest of the user's code
//! (`.allocator()`, `Vec::new_in(&a)`) does not add errors of its own
//! (thiserror's fallback). The stand-ins are never run: the crate does not
//! compile. They are the only `unsafe impl`s the derive writes itself;
//! being stubs next to a `compile_error!`, they can never be used.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::Input;
use crate::expand::{crate_path, private_path};

pub fn expand(input: &Input<'_>, errors: &syn::Error) -> TokenStream {
    let errors = errors.to_compile_error();
    if input.attrs.krate_unknown {
        // Naming a crate the user did not mean would only add errors.
        return errors;
    }
    let private = private_path(input);
    let krate = crate_path(input);
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();

    // Only when the derive was meant to implement it: otherwise the user's
    // own impl would conflict with this one.
    let raw_alloc = input.parent().map(|_| {
        quote! {
            #[automatically_derived]
            unsafe impl #impl_generics #private::RawAlloc for #ident #ty_generics #where_clause {
                fn alloc(
                    &self,
                    _: ::core::primitive::usize,
                    _: #private::Alignment,
                    _: #private::Caller,
                ) -> #private::Option<#private::NonNull<::core::primitive::u8>> {
                    ::core::unreachable!()
                }

                unsafe fn free(
                    &self,
                    _: #private::NonNull<[::core::primitive::u8]>,
                    _: #private::Alignment,
                    _: #private::Caller,
                ) {
                    ::core::unreachable!()
                }
            }
        }
    });

    quote! {
        #errors
        const _: () = {
            #[automatically_derived]
            impl #impl_generics #ident #ty_generics #where_clause {
                /// Returns the type-erased handle to this allocator.
                pub fn allocator(&self) -> #private::Handle<'_> {
                    ::core::unreachable!()
                }

                /// Returns the type-erased handle to this allocator that may
                /// be sent to other threads.
                pub fn sync_allocator(&self) -> #private::Handle<'_, #private::ThreadSafe> {
                    ::core::unreachable!()
                }
            }

            #raw_alloc

            #[automatically_derived]
            unsafe impl #impl_generics #krate::allocator_api2::alloc::Allocator for #ident #ty_generics #where_clause {
                fn allocate(
                    &self,
                    _: ::core::alloc::Layout,
                ) -> ::core::result::Result<::core::ptr::NonNull<[::core::primitive::u8]>, #krate::allocator_api2::alloc::AllocError> {
                    ::core::unreachable!()
                }

                unsafe fn deallocate(&self, _: ::core::ptr::NonNull<::core::primitive::u8>, _: ::core::alloc::Layout) {
                    ::core::unreachable!()
                }
            }
        };
    }
}
