//! Checks that need the whole input: the kind of item, how many parents,
//! whether overrides have one parent to complete them, whether a route has
//! two parents to choose between.

use crate::ast::{Data, Input};
use crate::ctxt::Ctxt;
use crate::render::render;

pub fn check(cx: &Ctxt, input: &Input<'_>) {
    check_data(cx, input);
    check_parent(cx, input);
    check_overrides(cx, input);
    check_route(cx, input);
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
    let parents = input
        .fields()
        .iter()
        .filter_map(|field| field.attrs.parent.as_ref())
        .filter(|parent| !parent.malformed);
    for extra in parents.skip(2) {
        cx.error_spanned_by(
            extra.original,
            "more than two `#[allocator(parent)]` fields; mark one (a wrapper) or two (a composite), and make one part a composite of its own for more",
        );
    }
}

fn check_overrides(cx: &Ctxt, input: &Input<'_>) {
    if !matches!(input.data, Data::Struct(_)) {
        return;
    }
    let parents = well_formed_parents(input);
    if parents == 1 {
        return;
    }
    let (needs_one, needs_one_validate) = if parents == 0 {
        (
            format!(
                "needs a field marked `#[allocator(parent)]` to delegate the other functions to; without one, write `unsafe impl RawAlloc for {}` yourself",
                input.ident
            ),
            format!(
                "needs a field marked `#[allocator(parent)]` to delegate the other functions to; without one, write `fn validate` in your `unsafe impl RawAlloc for {}`",
                input.ident
            ),
        )
    } else {
        // Two parents: the route functions decide everything but where
        // to allocate.
        let message = format!(
            "cannot change a struct with two `#[allocator(parent)]` fields, whose functions go to the part that owns each block; to change them, remove the two `#[allocator(parent)]` and write `unsafe impl RawAlloc for {}` yourself",
            input.ident
        );
        (message.clone(), message)
    };
    for (index, group) in input.attrs.groups.iter().enumerate() {
        // A group whose every entry was wrong has been reported already.
        if !input.attrs.overrides.iter().any(|o| o.group == Some(index)) {
            continue;
        }
        cx.error_spanned_by(
            &group.item,
            format!("`#[allocator({})]` {needs_one}", render(&group.item)),
        );
    }
    for over in input.attrs.overrides.iter().filter(|o| o.group.is_none()) {
        cx.error_spanned_by(
            &over.item,
            format!(
                "`#[allocator({})]` {needs_one_validate}",
                render(&over.item)
            ),
        );
    }
}

fn check_route(cx: &Ctxt, input: &Input<'_>) {
    let Some(route) = &input.attrs.route else {
        return;
    };
    if well_formed_parents(input) >= 2 || !matches!(input.data, Data::Struct(_)) {
        return;
    }
    cx.error_spanned_by(
        &route.item,
        format!(
            "`#[allocator({})]` chooses between two parts, and `{}` has no two fields marked `#[allocator(parent)]`; mark the two parts, or remove `{}`",
            render(&route.item),
            input.ident,
            render(&route.item),
        ),
    );
}

/// The parent fields, not counting one written wrongly (`parent = 1`,
/// reported already): what the struct was meant to be is then unclear, and
/// one error about it is enough.
fn well_formed_parents(input: &Input<'_>) -> usize {
    input
        .parents()
        .filter(|field| field.attrs.parent.as_ref().is_some_and(|p| !p.malformed))
        .count()
}
