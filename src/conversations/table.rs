//! A table the page pages through instead of receiving whole: every row stays here (the
//! conversations of one type, the connection attempts, the segments of one TCP stream), sorted
//! by one column and optionally narrowed to some rows, and the page asks for windows of it
//! (`page(start, count)`) with the total. Used by the web build's boundary (`wasm.rs`).
//!
//! Sorting follows the page's table rules: numbers largest or smallest first, text in natural
//! order (digit runs by value, letters ignoring case), addresses numerically (IPv4 before
//! IPv6), blank cells last in either direction, equal cells in the rows' own order.

use crate::chunked::ChunkedVec;
use std::cmp::Ordering;
use std::net::IpAddr;

/// The sort key of one cell; `None` (a blank cell) is a separate case of the caller's.
#[derive(Debug, Clone, PartialEq)]
pub enum CellKey {
    Num(f64),
    Text(String),
    /// Address family (0 for a MAC address, 4, 6) and value.
    Addr(u8, u128),
}

impl CellKey {
    /// The key of an address as the page prints it: a MAC ("02:00:5e:00:00:0a"), IPv4 or IPv6
    /// address numerically (in that order), anything else as text.
    pub fn address(text: &str) -> CellKey {
        if let Some(mac) = mac_value(text) {
            return CellKey::Addr(0, mac);
        }
        match text.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => CellKey::Addr(4, u128::from(u32::from(v4))),
            Ok(IpAddr::V6(v6)) => CellKey::Addr(6, u128::from(v6)),
            Err(_) => CellKey::Text(text.to_string()),
        }
    }

    /// The key of an address value: the same as [`CellKey::address`] of its text.
    pub fn of_address(address: &crate::conversations::Address) -> CellKey {
        use crate::conversations::Address;
        match *address {
            Address::Mac(mac) => {
                CellKey::Addr(0, mac.iter().fold(0u128, |v, &b| v << 8 | u128::from(b)))
            }
            Address::Ip(IpAddr::V4(v4)) => CellKey::Addr(4, u128::from(u32::from(v4))),
            Address::Ip(IpAddr::V6(v6)) => CellKey::Addr(6, u128::from(v6)),
        }
    }

    /// A number's key (integers up to 2^53 exactly).
    pub fn num(value: impl Into<f64>) -> CellKey {
        CellKey::Num(value.into())
    }

    fn rank(&self) -> u8 {
        match self {
            CellKey::Text(_) => 0,
            CellKey::Num(_) => 1,
            CellKey::Addr(..) => 2,
        }
    }

    fn compare(&self, other: &CellKey) -> Ordering {
        match (self, other) {
            (CellKey::Num(x), CellKey::Num(y)) => x.total_cmp(y),
            (CellKey::Text(x), CellKey::Text(y)) => natural_cmp(x, y),
            (CellKey::Addr(f, x), CellKey::Addr(g, y)) => (f, x).cmp(&(g, y)),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// The value of a MAC address written as six colon-separated hex pairs.
fn mac_value(text: &str) -> Option<u128> {
    let pairs: Vec<&str> = text.split(':').collect();
    if pairs.len() != 6 || pairs.iter().any(|p| p.len() != 2) {
        return None;
    }
    pairs.iter().try_fold(0u128, |value, pair| {
        Some(value << 8 | u128::from(u8::from_str_radix(pair, 16).ok()?))
    })
}

/// Natural text order: runs of digits compare by value, other characters ignoring case; texts
/// equal that way compare exactly.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let (m, n) = (digit_run(&mut x), digit_run(&mut y));
                let by_value = m.len().cmp(&n.len()).then_with(|| m.cmp(&n));
                if by_value != Ordering::Equal {
                    return by_value;
                }
            }
            (Some(c), Some(d)) => {
                let by_char = c.to_lowercase().cmp(d.to_lowercase());
                if by_char != Ordering::Equal {
                    return by_char;
                }
                x.next();
                y.next();
            }
        }
    }
}

/// The digits at the front of `chars` without leading zeros (consumed).
fn digit_run(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut run = String::new();
    while let Some(c) = chars.next_if(char::is_ascii_digit) {
        if !(run.is_empty() && c == '0') {
            run.push(c);
        }
    }
    run
}

/// A column's sort key of a row (`None`: a blank cell).
pub type KeyFn<'a, R> = &'a dyn Fn(&R) -> Option<CellKey>;

/// Where a [`Table`] keeps its rows: a vector, or a [`ChunkedVec`] for a list too large to move
/// into one block (the connection attempts of a large capture).
pub trait RowStore {
    type Row;
    fn count(&self) -> usize;
    fn row(&self, at: usize) -> Option<&Self::Row>;
    fn each(&self) -> impl Iterator<Item = &Self::Row>;
}

/// The same three calls for each store.
macro_rules! row_store {
    ($store:ident) => {
        impl<R> RowStore for $store<R> {
            type Row = R;
            fn count(&self) -> usize {
                self.len()
            }
            fn row(&self, at: usize) -> Option<&R> {
                self.get(at)
            }
            fn each(&self) -> impl Iterator<Item = &R> {
                self.iter()
            }
        }
    };
}

row_store!(Vec);
row_store!(ChunkedVec);

/// Rows kept for paging: their order (sorted or as given) and the rows shown (all, or those a
/// narrowing keeps), as row indexes.
#[derive(Debug, Clone)]
pub struct Table<R, S = Vec<R>> {
    rows: S,
    /// Every row index, in display order.
    sorted: Vec<u32>,
    /// Which rows are shown (`None`: all).
    keep: Option<Vec<bool>>,
    /// The shown row indexes, in display order.
    shown: Vec<u32>,
    row: std::marker::PhantomData<R>,
}

impl<R, S: RowStore<Row = R>> Table<R, S> {
    /// The rows in their given order, all shown.
    pub fn new(rows: S) -> Table<R, S> {
        let sorted: Vec<u32> = (0..rows.count() as u32).collect();
        Table {
            shown: sorted.clone(),
            sorted,
            rows,
            keep: None,
            row: std::marker::PhantomData,
        }
    }

    /// Rows shown.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    /// Every row, in the given order (whatever is shown).
    pub fn rows(&self) -> &S {
        &self.rows
    }

    /// Sorts by `key` (a row's cell; `None` for a blank one), largest first when `descending`;
    /// blanks go last and equal keys keep the rows' given order. `key` None: the given order.
    pub fn sort(&mut self, key: Option<KeyFn<'_, R>>, descending: bool) {
        let mut order: Vec<u32> = (0..self.rows.count() as u32).collect();
        if let Some(key) = key {
            let keys: Vec<Option<CellKey>> = self.rows.each().map(key).collect();
            let at = |i: &u32| keys.get(*i as usize).and_then(Option::as_ref);
            crate::sort::sort_by(&mut order, |x, y| match (at(x), at(y)) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) if descending => b.compare(a),
                (Some(a), Some(b)) => a.compare(b),
            });
        }
        self.sorted = order;
        self.refresh();
    }

    /// Shows only the rows `keep` accepts (`None`: every row), in the current order.
    pub fn narrow(&mut self, keep: Option<&dyn Fn(&R) -> bool>) {
        self.keep = keep.map(|keep| self.rows.each().map(keep).collect());
        self.refresh();
    }

    fn refresh(&mut self) {
        self.shown = match &self.keep {
            None => self.sorted.clone(),
            Some(keep) => self
                .sorted
                .iter()
                .copied()
                .filter(|&i| keep.get(i as usize).copied().unwrap_or(false))
                .collect(),
        };
    }

    /// The shown rows at display positions `start .. start+count`, with their row indexes.
    pub fn page(&self, start: usize, count: usize) -> impl Iterator<Item = (u32, &R)> + '_ {
        self.shown
            .iter()
            .skip(start)
            .take(count)
            .filter_map(|&i| Some((i, self.rows.row(i as usize)?)))
    }

    /// The display position of row `index`, or `None` when it is not shown.
    pub fn position_of(&self, index: u32) -> Option<usize> {
        self.shown.iter().position(|&i| i == index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(table: &Table<&'static str>) -> Vec<&'static str> {
        table.page(0, usize::MAX).map(|(_, r)| *r).collect()
    }

    #[test]
    fn natural_order_reads_digit_runs_by_value_and_ignores_case() {
        let mut words = vec!["b10", "B9", "a", "", "b09x", "A"];
        crate::sort::sort_by(&mut words, |x, y| natural_cmp(x, y));
        assert_eq!(words, ["", "A", "a", "B9", "b09x", "b10"]);
    }

    #[test]
    fn addresses_sort_by_value_ipv4_first() {
        // As text "10.0.0.9" > "10.0.0.10"; by value it is smaller.
        let rows = vec!["10.0.0.10", "::1", "10.0.0.9", "9.255.0.1"];
        let mut table = Table::new(rows);
        let key = |r: &&str| Some(CellKey::address(r));
        table.sort(Some(&key), false);
        assert_eq!(texts(&table), ["9.255.0.1", "10.0.0.9", "10.0.0.10", "::1"]);
        table.sort(Some(&key), true);
        assert_eq!(texts(&table), ["::1", "10.0.0.10", "10.0.0.9", "9.255.0.1"]);
    }

    #[test]
    fn an_address_value_keys_as_its_text_does() {
        use crate::conversations::Address;
        for address in [
            Address::Mac([0x02, 0, 0x5e, 0, 0xff, 0x0a]),
            Address::Ip("192.168.1.20".parse().unwrap()),
            Address::Ip("2001:db8::1".parse().unwrap()),
        ] {
            assert_eq!(
                CellKey::of_address(&address),
                CellKey::address(&address.to_string())
            );
        }
    }

    #[test]
    fn mac_addresses_sort_by_value_before_ip_addresses() {
        // As text with digit runs read as numbers, "0a" would come before "02".
        let rows = vec![
            "10.0.0.1",
            "02:00:00:00:00:0a",
            "02:00:00:00:00:02",
            "fe80::1",
        ];
        let mut table = Table::new(rows);
        let key = |r: &&str| Some(CellKey::address(r));
        table.sort(Some(&key), false);
        assert_eq!(
            texts(&table),
            [
                "02:00:00:00:00:02",
                "02:00:00:00:00:0a",
                "10.0.0.1",
                "fe80::1"
            ]
        );
        assert_eq!(
            CellKey::address("not:an:address"),
            CellKey::Text("not:an:address".into())
        );
    }

    #[test]
    fn blanks_go_last_either_way_and_ties_keep_the_given_order() {
        type Row = (&'static str, Option<u32>);
        let rows: Vec<Row> = vec![("a", Some(2)), ("b", None), ("c", Some(5)), ("d", Some(2))];
        let mut table = Table::new(rows);
        let key = |r: &Row| r.1.map(CellKey::num);
        let names = |t: &Table<Row>| t.page(0, 9).map(|(_, r)| r.0).collect::<Vec<_>>();
        table.sort(Some(&key), true);
        assert_eq!(names(&table), ["c", "a", "d", "b"]);
        table.sort(Some(&key), false);
        assert_eq!(names(&table), ["a", "d", "c", "b"]);
        table.sort(None, false);
        assert_eq!(names(&table), ["a", "b", "c", "d"]);
    }

    #[test]
    fn narrowing_keeps_the_order_and_pages_count_the_shown_rows() {
        let mut table = Table::new((0u32..10).collect::<Vec<_>>());
        let key = |r: &u32| Some(CellKey::num(*r));
        table.sort(Some(&key), true);
        let even = |r: &u32| r % 2 == 0;
        table.narrow(Some(&even));
        assert_eq!(table.len(), 5);
        let page: Vec<(u32, u32)> = table.page(1, 2).map(|(i, r)| (i, *r)).collect();
        assert_eq!(page, [(6, 6), (4, 4)]);
        assert_eq!(table.position_of(0), Some(4));
        assert_eq!(table.position_of(3), None);
        table.narrow(None);
        assert_eq!(table.len(), 10);
        assert_eq!(table.page(9, 5).count(), 1);
        assert_eq!(table.page(20, 5).count(), 0);
    }
}
