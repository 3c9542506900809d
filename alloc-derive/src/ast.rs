//! The derive input as this crate sees it: a struct, its fields and their
//! parsed attributes, each keeping the syn node it came from for spans.

use proc_macro2::Span;
use syn::{
    Data as SynData, DataEnum, DataUnion, DeriveInput, Generics, Ident, Index, Member, Type,
};

use crate::attr;
use crate::ctxt::Ctxt;

pub struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub attrs: attr::Container,
    pub data: Data<'a>,
}

pub enum Data<'a> {
    /// Named, tuple or unit struct.
    Struct(Vec<Field<'a>>),
    Enum(&'a DataEnum),
    Union(&'a DataUnion),
}

/// A struct without a parent implements `RawAlloc` itself; with one it
/// wraps it; with two (or more, an error) it is a composite of the first
/// two.
pub enum Shape<'f, 'a> {
    Own,
    Wrapper(&'f Field<'a>),
    Pair(&'f Field<'a>, &'f Field<'a>),
}

pub struct Field<'a> {
    pub original: &'a syn::Field,
    /// Position among the fields, for a tuple struct's `self.0`.
    pub index: usize,
    pub ty: &'a Type,
    pub attrs: attr::Field<'a>,
}

impl<'a> Input<'a> {
    pub fn from_syn(cx: &Ctxt, input: &'a DeriveInput) -> Self {
        let attrs = attr::Container::from_ast(cx, &input.attrs);
        let data = match &input.data {
            SynData::Struct(data) => Data::Struct(
                data.fields
                    .iter()
                    .enumerate()
                    .map(|(i, field)| Field::from_syn(cx, i, field))
                    .collect(),
            ),
            SynData::Enum(data) => Data::Enum(data),
            SynData::Union(data) => Data::Union(data),
        };
        Input {
            ident: &input.ident,
            generics: &input.generics,
            attrs,
            data,
        }
    }

    /// The fields of a struct; none for an enum or a union.
    pub fn fields(&self) -> &[Field<'a>] {
        match &self.data {
            Data::Struct(fields) => fields,
            Data::Enum(_) | Data::Union(_) => &[],
        }
    }

    /// The first field marked `#[allocator(parent)]`.
    pub fn parent(&self) -> Option<&Field<'a>> {
        self.parents().next()
    }

    /// The fields marked `#[allocator(parent)]`, in order.
    pub fn parents(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields()
            .iter()
            .filter(|field| field.attrs.parent.is_some())
    }

    /// What the parent fields make of the struct.
    pub fn shape(&self) -> Shape<'_, 'a> {
        let mut parents = self.parents();
        match (parents.next(), parents.next()) {
            (None, _) => Shape::Own,
            (Some(parent), None) => Shape::Wrapper(parent),
            (Some(first), Some(second)) => Shape::Pair(first, second),
        }
    }
}

impl<'a> Field<'a> {
    fn from_syn(cx: &Ctxt, index: usize, field: &'a syn::Field) -> Self {
        Field {
            original: field,
            index,
            ty: &field.ty,
            attrs: attr::Field::from_ast(cx, &field.attrs),
        }
    }

    /// `inner` or `0`, for `self.#member`.
    pub fn member(&self) -> Member {
        match &self.original.ident {
            Some(ident) => Member::Named(ident.clone()),
            None => Member::Unnamed(Index {
                index: u32::try_from(self.index).expect("fewer than 2^32 fields"),
                span: Span::call_site(),
            }),
        }
    }
}
