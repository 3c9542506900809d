//! The arena `String` and `format!` on `Bump` and `Arena`.

use core::fmt::Write;
use core::mem::MaybeUninit;

use super::{String, Vec};
use crate::Bump;

#[test]
fn a_string_grows_by_pushes_and_holds_its_text() {
    let mut buf = [MaybeUninit::uninit(); 1024];
    let bump = Bump::new(&mut buf);
    let mut s = String::new_in(&bump);
    assert!(s.is_empty());
    assert_eq!(bump.used(), 0, "new_in allocates nothing");
    for (i, ch) in "aé€😀".chars().cycle().take(40).enumerate() {
        s.push(ch);
        if i % 3 == 0 {
            s.push_str("-");
        }
    }
    let expected: std::string::String = "aé€😀"
        .chars()
        .cycle()
        .take(40)
        .enumerate()
        .flat_map(|(i, ch)| core::iter::once(ch).chain((i % 3 == 0).then_some('-')))
        .collect();
    assert_eq!(s, expected.as_str());
    assert_eq!(s.len(), expected.len());
    assert!(s.capacity() >= s.len());
    assert!(bump.owns(s.as_ptr()));
    assert_eq!(&*s, expected.as_str(), "Deref gives the text");
}

#[test]
fn with_capacity_in_and_from_str_in_reserve_what_they_say() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let s = String::with_capacity_in(32, &bump);
    assert!(s.capacity() >= 32 && s.is_empty());
    let t = String::from_str_in("copied", &bump);
    assert_eq!(t, "copied");
    assert_eq!(t.as_str(), "copied");
}

#[test]
fn clear_keeps_the_room_and_as_mut_str_edits_in_place() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let mut s = String::from_str_in("Mixed Case", &bump);
    s.as_mut_str().make_ascii_lowercase();
    assert_eq!(s, "mixed case");
    let capacity = s.capacity();
    s.clear();
    assert!(s.is_empty());
    assert_eq!(s.capacity(), capacity);
    s.push_str("again");
    assert_eq!(s, "again");
}

#[test]
fn the_fallible_forms_refuse_on_a_full_bump_and_leave_the_string_as_it_was() {
    let mut buf = [MaybeUninit::uninit(); 16];
    let bump = Bump::new(&mut buf);
    let mut s = String::new_in(&bump);
    s.try_push_str("0123456789").unwrap();
    assert_eq!(s.try_push_str("0123456789"), Err(crate::AllocError));
    assert_eq!(s.try_push('😀'), Ok(()), "4 more bytes still fit");
    assert_eq!(s.try_reserve(100), Err(crate::AllocError));
    assert_eq!(s.try_reserve(usize::MAX), Err(crate::AllocError));
    assert_eq!(s, "0123456789😀");
    assert_eq!(s.try_push_str("xy"), Ok(()), "the last two bytes are used");
    assert_eq!(bump.remaining(), 0);
    assert!(s.try_push('z').is_err());
    assert_eq!(s, "0123456789😀xy");
}

#[test]
fn write_display_debug_and_equality_follow_str() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let mut s = String::new_in(&bump);
    write!(s, "{}+{}={}", 1, 2, 1 + 2).unwrap();
    s.write_char('!').unwrap();
    assert_eq!(s, "1+2=3!");
    assert_eq!(std::format!("{s}"), "1+2=3!");
    assert_eq!(std::format!("{s:>8}"), "  1+2=3!");
    assert_eq!(std::format!("{s:?}"), r#""1+2=3!""#);
    assert!("1+2=3!" == s && *"1+2=3!" == s);
    let other = String::from_str_in("1+2=3!", &bump);
    assert_eq!(s, other);
    assert_ne!(s, String::from_str_in("1+2=4!", &bump));
}

#[test]
fn into_bump_str_keeps_the_text_in_the_bump() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let mut bump = Bump::new(&mut buf);
    {
        let mut s = String::new_in(&bump);
        s.push_str("leaked into the bump");
        let kept: &mut str = s.into_bump_str();
        let other = bump.alloc_str("after");
        kept.make_ascii_uppercase();
        assert_eq!(kept, "LEAKED INTO THE BUMP");
        assert_eq!(other, "after");
        assert!(bump.owns(kept.as_ptr()));
    }
    bump.reset();
    assert_eq!(bump.used(), 0);
}

#[test]
fn format_in_formats_into_the_allocator() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let name = "bump";
    let s = crate::format!(in &bump, "{name}: {:04}", 42);
    assert_eq!(s, "bump: 0042");
    assert!(bump.owns(s.as_ptr()));
    let empty = crate::format!(in &bump, "");
    assert!(empty.is_empty());
}

#[test]
fn vec_works_in_a_bump() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let mut v: Vec<u32, _> = Vec::new_in(&bump);
    v.extend(0..10);
    assert_eq!(v.iter().sum::<u32>(), 45);
}

#[test]
fn a_string_in_a_handle_works_too() {
    let mut buf = [MaybeUninit::uninit(); 256];
    let bump = Bump::new(&mut buf);
    let mut s = String::new_in(bump.allocator());
    s.push_str("through a handle");
    assert_eq!(s, "through a handle");
    assert!(bump.used() >= s.len());
}

#[test]
fn hash_borrow_and_order_agree_with_str() {
    use core::borrow::Borrow;
    use core::hash::{BuildHasher, Hash, Hasher};

    let mut buf = [MaybeUninit::uninit(); 512];
    let bump = Bump::new(&mut buf);
    let hasher = hashbrown::DefaultHashBuilder::default();
    let hash = |v: &dyn Fn(&mut hashbrown::DefaultHasher)| {
        let mut h = hasher.build_hasher();
        v(&mut h);
        h.finish()
    };
    let s = String::from_str_in("ferris", &bump);
    assert_eq!(hash(&|h| s.hash(h)), hash(&|h| "ferris".hash(h)));
    assert_ne!(hash(&|h| s.hash(h)), hash(&|h| "ferrit".hash(h)));
    let borrowed: &str = s.borrow();
    assert_eq!(borrowed, "ferris");

    let mut map = hashbrown::HashMap::with_hasher_in(hasher, &bump);
    map.insert(String::from_str_in("a", &bump), 1);
    map.insert(String::from_str_in("bc", &bump), 2);
    assert_eq!(
        (map.get("a"), map.get("bc"), map.get("b")),
        (Some(&1), Some(&2), None)
    );
    assert_eq!(map.remove("bc"), Some(2));

    let (a, b) = (
        String::from_str_in("ab", &bump),
        String::from_str_in("b", &bump),
    );
    assert!(a < b);
    assert_eq!(b.partial_cmp(&a), Some(core::cmp::Ordering::Greater));
    assert_eq!(a.cmp(&a), core::cmp::Ordering::Equal);
    assert_eq!(AsRef::<str>::as_ref(&a), "ab");
}

/// The same on `Arena`.
mod arena {
    use super::*;
    use crate::Arena;

    #[test]
    fn a_string_grows_in_an_arena_and_is_kept_by_into_bump_str() {
        let arena = Arena::new();
        let mut s = String::new_in(&arena);
        let n = if cfg!(miri) { 100 } else { 10_000 };
        for i in 0..n {
            write!(s, "{i},").unwrap();
        }
        let kept = s.into_bump_str();
        assert!(kept.starts_with("0,1,2,"));
        assert_eq!(kept.matches(',').count(), n);
        let formatted = crate::format!(in &arena, "{}", 7);
        assert_eq!(formatted, "7");
    }

    #[test]
    fn the_fallible_forms_refuse_past_the_allocation_limit() {
        let arena = Arena::new();
        arena.set_allocation_limit(Some(0));
        let mut s = String::new_in(&arena);
        assert!(s.try_push_str("x").is_err());
        assert!(s.is_empty());
    }
}
