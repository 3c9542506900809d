//! Checks that need the whole input: the kind of item, how many parents,
//! whether overrides have a parent to complete them.

use crate::ast::{Data, Input};
use crate::ctxt::Ctxt;
use crate::render::render;

pub fn check(cx: &Ctxt, input: &Input<'_>) {
    check_data(cx, input);
    check_parent(cx, input);
    check_overrides(cx, input);
}

fn check_data(cx: &Ctxt, input: &Input<'_>) {
    let (token, kind) = match &input.data {
        Data::Struct(_) => return,
        Data::Enum(data) => (data.enum_token.span, "enums"),
        Data::Union(data) => (data.union_token.span, "unions"),
    };
    cx.syn_error(syn::Error::new(
        token,
        format!(
            "`#[derive(Allocator)]` is not supported on {kind}; derive it on a struct, and mark the field to delegate to with `#[allocator(parent)]`"
        ),
    ));
}

fn check_parent(cx: &Ctxt, input: &Input<'_>) {
    let mut parents = input
        .fields()
        .iter()
        .filter_map(|field| field.attrs.parent.as_ref())
        .filter(|parent| !parent.malformed);
    let _first = parents.next();
    for duplicate in parents {
        cx.error_spanned_by(
            duplicate.original,
            "duplicate `#[allocator(parent)]` field; mark exactly one field",
        );
    }
}

fn check_overrides(cx: &Ctxt, input: &Input<'_>) {
    if input.parent().is_some() || !matches!(input.data, Data::Struct(_)) {
        return;
    }
    for (index, group) in input.attrs.groups.iter().enumerate() {
        // A group whose every entry was wrong has been reported already.
        if !input.attrs.overrides.iter().any(|o| o.group == Some(index)) {
            continue;
        }
        cx.error_spanned_by(
            &group.item,
            format!(
                "`#[allocator({})]` needs a field marked `#[allocator(parent)]` to delegate the other functions to; without one, write `unsafe impl RawAlloc for {}` yourself",
                render(&group.item),
                input.ident,
            ),
        );
    }
    for over in input.attrs.overrides.iter().filter(|o| o.group.is_none()) {
        cx.error_spanned_by(
            &over.item,
            format!(
                "`#[allocator({})]` needs a field marked `#[allocator(parent)]` to delegate the other functions to; without one, write `fn validate` in your `unsafe impl RawAlloc for {}`",
                render(&over.item),
                input.ident,
            ),
        );
    }
}
