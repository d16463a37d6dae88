//! The condition DAG: Kconfig expressions and Kbuild guards in one hash-consed pool.
//!
//! Values follow the kernel's tristate lattice `n < m < y` (`scripts/kconfig/expr.h`):
//! `&&` is min, `||` is max and `!x` is `2 - x`. A comparison is always `y` or `n`
//! (`scripts/kconfig/expr.c: __expr_calc_value`). Nodes are interned in an `IndexSet`, so an
//! identical subexpression has one [`ExprId`] however often it is built, which is what lets the
//! solver give it one Tseitin variable.

use std::fmt::Write as _;
use std::hash::BuildHasher as _;

use crate::source::Span;

/// A tristate value. The order is the kernel's: `No < Mod < Yes`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Tristate {
    /// `n`
    No = 0,
    /// `m`
    Mod = 1,
    /// `y`
    Yes = 2,
}

/// `!x` in the kernel's sense: `2 - x`, so `!m == m` (`scripts/kconfig/expr.c:
/// expr_calc_value`, `E_NOT`).
impl std::ops::Not for Tristate {
    type Output = Tristate;

    fn not(self) -> Tristate {
        match self {
            Tristate::No => Tristate::Yes,
            Tristate::Mod => Tristate::Mod,
            Tristate::Yes => Tristate::No,
        }
    }
}

impl Tristate {
    /// The letter used in `.config` files.
    pub fn letter(self) -> char {
        match self {
            Tristate::No => 'n',
            Tristate::Mod => 'm',
            Tristate::Yes => 'y',
        }
    }

    /// Parses `n`, `m` or `y`.
    pub fn from_letter(s: &str) -> Option<Tristate> {
        match s {
            "n" => Some(Tristate::No),
            "m" => Some(Tristate::Mod),
            "y" => Some(Tristate::Yes),
            _ => None,
        }
    }
}

/// An interned name: a symbol name (`MODULES`) or the text of a constant (`"x86"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameId(pub u32);

/// An interned expression node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

/// A comparison operator (`=`, `!=`, `<`, `<=`, `>`, `>=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written in Kconfig.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether the operator holds for a comparison result (`a OP b` where `a.cmp(b) == ord`).
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ord == Equal,
            CmpOp::Ne => ord != Equal,
            CmpOp::Lt => ord == Less,
            CmpOp::Le => ord != Greater,
            CmpOp::Gt => ord == Greater,
            CmpOp::Ge => ord != Less,
        }
    }
}

/// One side of a comparison: a symbol, or a constant (quoted word, number, `y`/`m`/`n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operand {
    /// A (possibly undefined) symbol; its value comes from the [`Valuation`].
    Symbol(NameId),
    /// A constant whose value is its own text.
    Const(NameId),
}

/// A node of the DAG. Children are ids into the same pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expr {
    /// `n`, `m` or `y`.
    Const(Tristate),
    /// A symbol in a boolean context: its tristate value (`n` for int/hex/string symbols).
    Symbol(NameId),
    /// `!e`
    Not(ExprId),
    /// `a && b`
    And(ExprId, ExprId),
    /// `a || b`
    Or(ExprId, ExprId),
    /// `a OP b`, always `y` or `n`.
    Cmp(CmpOp, Operand, Operand),
    /// A fact the pipeline could not express (a toolchain probe, a make construct whose value
    /// depends on the build host); see [`ExprPool::unknown_fact`].
    Unknown(u32),
}

/// Where an [`Expr::Unknown`] came from and why it is opaque.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFact {
    /// The construct as written, e.g. `$(success,$(CC) -march=foo)`.
    pub text: String,
    /// Where it was written, when known.
    pub span: Option<Span>,
}

/// The type of a symbol as the comparison rules see it (`scripts/kconfig/expr.h: symbol_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// Undefined symbols and quoted constants.
    Unknown,
    /// `bool`
    Bool,
    /// `tristate`
    Tristate,
    /// `int`
    Int,
    /// `hex`
    Hex,
    /// `string`
    String,
}

/// Supplies symbol values to [`ExprPool::eval`].
pub trait Valuation {
    /// The tristate value of `name` in a boolean context.
    fn tristate(&self, name: NameId) -> Tristate;
    /// The declared type of `name` and its string value (`sym_get_string_value`).
    fn string_value(&self, name: NameId) -> (ValueType, std::borrow::Cow<'_, str>);
    /// The value of an opaque fact.
    fn unknown(&self, id: u32) -> Tristate;
}

/// The hasher of the pool's sets. Names and nodes are not attacker-chosen (a collision only
/// slows interning down), and SipHash was a tenth of the Kconfig parser's profile.
type FastHash = std::hash::BuildHasherDefault<FastHasher>;

/// A multiply-rotate hasher in the style of rustc's FxHasher.
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

impl FastHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Interned names in one buffer: a name costs no allocation of its own, and cloning a pool
/// (the solver clones the parser's) copies three buffers instead of one box per name.
#[derive(Debug, Default, Clone)]
struct Names {
    text: String,
    /// Where each name ends in `text`; it starts where the previous one ends.
    ends: Vec<u32>,
    /// Indexes into `ends`, hashed by their text.
    table: hashbrown::HashTable<u32>,
}

impl Names {
    fn get(&self, i: u32) -> Option<&str> {
        let end = *self.ends.get(i as usize)? as usize;
        let start = match i {
            0 => 0,
            _ => self.ends[i as usize - 1] as usize,
        };
        self.text.get(start..end)
    }

    fn find(&self, hash: u64, text: &str) -> Option<u32> {
        self.table
            .find(hash, |&i| self.get(i) == Some(text))
            .copied()
    }

    /// A name's hash: eight bytes at a time, the tail as one zero-padded word, each step a
    /// folded 64x64->128-bit multiply so every bit of the result depends on every input bit
    /// (hashbrown takes the bucket from the low bits and the tag from the high ones). One
    /// step per word, not per tail byte: names are hashed at every reference.
    fn hash(text: &str) -> u64 {
        fn mix(h: u64, w: u64) -> u64 {
            let m = u128::from(h ^ w) * 0x9e37_79b9_7f4a_7c15_u128;
            (m as u64) ^ ((m >> 64) as u64)
        }
        let b = text.as_bytes();
        let mut h = mix(0x243f_6a88_85a3_08d3, b.len() as u64);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = mix(h, u64::from_le_bytes(w));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            // Byte by byte: a `copy_from_slice` of a variable length is a `memcpy` call,
            // and most names end in a tail.
            let w = tail
                .iter()
                .rev()
                .fold(0u64, |w, &byte| w << 8 | u64::from(byte));
            h = mix(h, w);
        }
        h
    }

    fn intern(&mut self, text: &str) -> u32 {
        let hash = Names::hash(text);
        if let Some(i) = self.find(hash, text) {
            return i;
        }
        let i = self.ends.len() as u32;
        self.text.push_str(text);
        self.ends.push(self.text.len() as u32);
        let Names { text, ends, table } = self;
        let text_of = |i: u32| {
            let end = ends[i as usize] as usize;
            let start = if i == 0 {
                0
            } else {
                ends[i as usize - 1] as usize
            };
            &text[start..end]
        };
        table.insert_unique(hash, i, |&j| Names::hash(text_of(j)));
        i
    }
}

/// A node as the pool stores it, in eight bytes (an [`Expr`] takes twenty): the kind in the
/// top three bits of `head`, the first child, name, fact or comparison index in the rest,
/// the second child of `&&`/`||` in `b`. Evaluating a configuration walks the nodes in no
/// particular order, so it mostly waits on memory; dense nodes fit in the caches 2.5 times
/// as well.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Packed {
    head: u32,
    b: u32,
}

const KIND_SHIFT: u32 = 29;
const LOW: u32 = (1 << KIND_SHIFT) - 1;
const K_CONST: u32 = 0;
const K_SYMBOL: u32 = 1;
const K_NOT: u32 = 2;
const K_AND: u32 = 3;
const K_OR: u32 = 4;
const K_CMP: u32 = 5;
const K_UNKNOWN: u32 = 6;

impl Packed {
    /// Packs `e`; a comparison's operands are in `cmps` at `cmp_index`.
    fn new(e: Expr, cmp_index: u32) -> Packed {
        let (kind, low, b) = match e {
            Expr::Const(t) => (K_CONST, t as u32, 0),
            Expr::Symbol(n) => (K_SYMBOL, n.0, 0),
            Expr::Not(a) => (K_NOT, a.0, 0),
            Expr::And(a, b) => (K_AND, a.0, b.0),
            Expr::Or(a, b) => (K_OR, a.0, b.0),
            Expr::Cmp(..) => (K_CMP, cmp_index, 0),
            Expr::Unknown(id) => (K_UNKNOWN, id, 0),
        };
        // 2^29 nodes or names would take gigabytes; no tree or Makefile comes near.
        assert!(low <= LOW, "expression pool full (2^29 nodes or names)");
        Packed {
            head: kind << KIND_SHIFT | low,
            b,
        }
    }
}

/// The hash-consing pool of names and expression nodes.
#[derive(Debug, Default, Clone)]
pub struct ExprPool {
    names: Names,
    nodes: Vec<Packed>,
    /// The operator and operands of each comparison node, by the index in its `head`.
    cmps: Vec<(CmpOp, Operand, Operand)>,
    /// Indexes into `nodes`, hashed by the node.
    node_table: hashbrown::HashTable<u32>,
    unknowns: Vec<UnknownFact>,
    /// The `Symbol` node of each name, by `NameId` ([`NO_NODE`] when not made yet): a
    /// parse asks for a symbol's node at each of its ~30,000 mentions, and an index is
    /// cheaper than hashing the node and probing the table.
    symbol_nodes: Vec<u32>,
    /// The nodes of `n`, `m` and `y`, once made.
    constants: [Option<ExprId>; 3],
}

/// Marks a name without a `Symbol` node in [`ExprPool`]'s `symbol_nodes`.
const NO_NODE: u32 = u32::MAX;

/// The node `p` of a pool whose comparisons are `cmps`.
#[inline]
fn unpack(p: Packed, cmps: &[(CmpOp, Operand, Operand)]) -> Expr {
    let low = p.head & LOW;
    match p.head >> KIND_SHIFT {
        K_CONST => Expr::Const(match low {
            0 => Tristate::No,
            1 => Tristate::Mod,
            _ => Tristate::Yes,
        }),
        K_SYMBOL => Expr::Symbol(NameId(low)),
        K_NOT => Expr::Not(ExprId(low)),
        K_AND => Expr::And(ExprId(low), ExprId(p.b)),
        K_OR => Expr::Or(ExprId(low), ExprId(p.b)),
        K_CMP => {
            // Packed only by `intern`, which pushed the comparison at this index.
            let (op, a, b) = cmps[low as usize];
            Expr::Cmp(op, a, b)
        }
        _ => Expr::Unknown(low),
    }
}

impl ExprPool {
    /// An empty pool.
    pub fn new() -> ExprPool {
        ExprPool::default()
    }

    /// An empty pool with room for `names` names and `nodes` nodes before it grows (growing
    /// rehashes every entry).
    pub fn with_capacity(names: usize, nodes: usize) -> ExprPool {
        ExprPool {
            names: Names {
                text: String::with_capacity(names * 16),
                ends: Vec::with_capacity(names),
                table: hashbrown::HashTable::with_capacity(names),
            },
            nodes: Vec::with_capacity(nodes),
            cmps: Vec::new(),
            node_table: hashbrown::HashTable::with_capacity(nodes),
            unknowns: Vec::new(),
            symbol_nodes: Vec::with_capacity(names),
            constants: [None; 3],
        }
    }

    /// Makes room for `nodes` more nodes.
    pub fn reserve_nodes(&mut self, nodes: usize) {
        self.nodes.reserve(nodes);
        let (nodes_now, cmps) = (&self.nodes, &self.cmps);
        self.node_table.reserve(nodes, |&i| {
            FastHash::default().hash_one(unpack(nodes_now[i as usize], cmps))
        });
    }

    /// Interns a name.
    pub fn name(&mut self, text: &str) -> NameId {
        NameId(self.names.intern(text))
    }

    /// Looks up a name without interning it.
    pub fn find_name(&self, text: &str) -> Option<NameId> {
        self.names.find(Names::hash(text), text).map(NameId)
    }

    /// The text of a name.
    pub fn name_text(&self, id: NameId) -> &str {
        self.names.get(id.0).unwrap_or("")
    }

    /// Number of interned names.
    pub fn name_count(&self) -> usize {
        self.names.ends.len()
    }

    /// The node behind an id.
    #[inline]
    pub fn get(&self, id: ExprId) -> Expr {
        // Ids are only made by `intern`, so the index exists in this pool.
        let p = *self
            .nodes
            .get(id.0 as usize)
            .expect("ExprId from another pool");
        unpack(p, &self.cmps)
    }

    /// Number of distinct nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the pool has no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn intern(&mut self, e: Expr) -> ExprId {
        let hash = FastHash::default().hash_one(e);
        let (nodes, cmps) = (&mut self.nodes, &mut self.cmps);
        let entry = self.node_table.entry(
            hash,
            |&i| unpack(nodes[i as usize], cmps) == e,
            |&i| FastHash::default().hash_one(unpack(nodes[i as usize], cmps)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(o) => ExprId(*o.get()),
            hashbrown::hash_table::Entry::Vacant(v) => {
                let i = nodes.len() as u32;
                let cmp_index = cmps.len() as u32;
                if let Expr::Cmp(op, a, b) = e {
                    cmps.push((op, a, b));
                }
                nodes.push(Packed::new(e, cmp_index));
                v.insert(i);
                ExprId(i)
            }
        }
    }

    /// The constant `t`.
    pub fn constant(&mut self, t: Tristate) -> ExprId {
        // The same node `intern` would find: it is made once, on first use, as before.
        if let Some(id) = self.constants[t as usize] {
            return id;
        }
        let id = self.intern(Expr::Const(t));
        self.constants[t as usize] = Some(id);
        id
    }

    /// `y`: the condition that always holds (an absent `depends on`).
    pub fn yes(&mut self) -> ExprId {
        self.constant(Tristate::Yes)
    }

    /// `n`.
    pub fn no(&mut self) -> ExprId {
        self.constant(Tristate::No)
    }

    /// A symbol in a boolean context.
    pub fn symbol(&mut self, name: NameId) -> ExprId {
        let i = name.0 as usize;
        if let Some(&id) = self.symbol_nodes.get(i)
            && id != NO_NODE
        {
            return ExprId(id);
        }
        // Made here on first use, as `intern` alone would: node ids do not change.
        let id = self.intern(Expr::Symbol(name));
        if self.symbol_nodes.len() <= i {
            let len = (i + 1).max(self.name_count());
            self.symbol_nodes.resize(len, NO_NODE);
        }
        self.symbol_nodes[i] = id.0;
        id
    }

    /// A symbol by its text.
    pub fn symbol_named(&mut self, text: &str) -> ExprId {
        let n = self.name(text);
        self.symbol(n)
    }

    /// `!e`, folding constants and double negation (exact in the tristate lattice).
    pub fn not(&mut self, e: ExprId) -> ExprId {
        match self.get(e) {
            Expr::Const(t) => self.constant(!t),
            Expr::Not(inner) => inner,
            _ => self.intern(Expr::Not(e)),
        }
    }

    /// `a && b`, folding constants and `a && a`. Operands keep their written order, so a
    /// condition prints as it was written in the Kconfig or Makefile it came from.
    pub fn and(&mut self, a: ExprId, b: ExprId) -> ExprId {
        match (self.get(a), self.get(b)) {
            (Expr::Const(Tristate::Yes), _) => b,
            (_, Expr::Const(Tristate::Yes)) => a,
            (Expr::Const(Tristate::No), _) | (_, Expr::Const(Tristate::No)) => self.no(),
            _ if a == b => a,
            _ => self.intern(Expr::And(a, b)),
        }
    }

    /// `a || b`, folding constants and `a || a`.
    pub fn or(&mut self, a: ExprId, b: ExprId) -> ExprId {
        match (self.get(a), self.get(b)) {
            (Expr::Const(Tristate::No), _) => b,
            (_, Expr::Const(Tristate::No)) => a,
            (Expr::Const(Tristate::Yes), _) | (_, Expr::Const(Tristate::Yes)) => self.yes(),
            _ if a == b => a,
            _ => self.intern(Expr::Or(a, b)),
        }
    }

    /// The conjunction of all `es` (`y` when empty).
    pub fn and_all(&mut self, es: impl IntoIterator<Item = ExprId>) -> ExprId {
        let mut acc = self.yes();
        for e in es {
            acc = self.and(acc, e);
        }
        acc
    }

    /// The disjunction of all `es` (`n` when empty).
    pub fn or_all(&mut self, es: impl IntoIterator<Item = ExprId>) -> ExprId {
        let mut acc = self.no();
        for e in es {
            acc = self.or(acc, e);
        }
        acc
    }

    /// `a OP b`.
    pub fn cmp(&mut self, op: CmpOp, a: Operand, b: Operand) -> ExprId {
        self.intern(Expr::Cmp(op, a, b))
    }

    /// `SYM = value` for a tristate letter, the guard Kbuild's `obj-$(CONFIG_SYM)` produces.
    pub fn sym_is(&mut self, name: NameId, value: Tristate) -> ExprId {
        let letter = self.name(&value.letter().to_string());
        self.cmp(CmpOp::Eq, Operand::Symbol(name), Operand::Const(letter))
    }

    /// A new opaque fact; each call makes a distinct one.
    pub fn unknown_fact(&mut self, text: impl Into<String>, span: Option<Span>) -> ExprId {
        let id = self.unknowns.len() as u32;
        self.unknowns.push(UnknownFact {
            text: text.into(),
            span,
        });
        self.intern(Expr::Unknown(id))
    }

    /// The description of fact `id`.
    pub fn unknown(&self, id: u32) -> Option<&UnknownFact> {
        self.unknowns.get(id as usize)
    }

    /// Every opaque fact made so far.
    pub fn unknowns(&self) -> &[UnknownFact] {
        &self.unknowns
    }

    /// Evaluates `e` under `v` exactly as `expr_calc_value()` does.
    pub fn eval(&self, e: ExprId, v: &impl Valuation) -> Tristate {
        match self.get(e) {
            Expr::Const(t) => t,
            Expr::Symbol(n) => v.tristate(n),
            Expr::Not(a) => !self.eval(a, v),
            Expr::And(a, b) => self.eval(a, v).min(self.eval(b, v)),
            Expr::Or(a, b) => self.eval(a, v).max(self.eval(b, v)),
            Expr::Unknown(id) => v.unknown(id),
            Expr::Cmp(op, a, b) => {
                let (ta, sa) = self.operand_value(a, v);
                let (tb, sb) = self.operand_value(b, v);
                if op.holds(compare_values(ta, &sa, tb, &sb)) {
                    Tristate::Yes
                } else {
                    Tristate::No
                }
            }
        }
    }

    fn operand_value<'v>(
        &'v self,
        o: Operand,
        v: &'v impl Valuation,
    ) -> (ValueType, std::borrow::Cow<'v, str>) {
        match o {
            Operand::Symbol(n) => v.string_value(n),
            Operand::Const(n) => {
                let text = self.name_text(n);
                // `sym_lookup()` returns the tristate constants for the one-letter names.
                let ty = if Tristate::from_letter(text).is_some() {
                    ValueType::Tristate
                } else {
                    ValueType::Unknown
                };
                (ty, std::borrow::Cow::Borrowed(text))
            }
        }
    }

    /// Renders `e` in Kconfig syntax with minimal parentheses.
    pub fn display(&self, e: ExprId) -> String {
        let mut out = String::new();
        self.write_expr(&mut out, e, 0);
        out
    }

    fn write_operand(&self, out: &mut String, o: Operand) {
        match o {
            Operand::Symbol(n) => out.push_str(self.name_text(n)),
            Operand::Const(n) => {
                let t = self.name_text(n);
                if Tristate::from_letter(t).is_some()
                    || (!t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
                {
                    out.push_str(t)
                } else {
                    let _ = write!(out, "\"{t}\"");
                }
            }
        }
    }

    // Precedence levels as in `scripts/kconfig/parser.y`: `||` 1, `&&` 2, `!` 3, comparison 4.
    fn write_expr(&self, out: &mut String, e: ExprId, outer: u8) {
        let (prec, paren) = match self.get(e) {
            Expr::Or(..) => (1, outer > 1),
            Expr::And(..) => (2, outer > 2),
            _ => (4, false),
        };
        if paren {
            out.push('(');
        }
        match self.get(e) {
            Expr::Const(t) => out.push(t.letter()),
            Expr::Symbol(n) => out.push_str(self.name_text(n)),
            Expr::Not(a) => {
                out.push('!');
                self.write_expr(out, a, 3);
            }
            Expr::And(a, b) => {
                self.write_expr(out, a, prec);
                out.push_str(" && ");
                self.write_expr(out, b, prec);
            }
            Expr::Or(a, b) => {
                self.write_expr(out, a, prec);
                out.push_str(" || ");
                self.write_expr(out, b, prec);
            }
            Expr::Cmp(op, a, b) => {
                self.write_operand(out, a);
                let _ = write!(out, "{}", op.as_str());
                self.write_operand(out, b);
            }
            Expr::Unknown(id) => {
                let text = self.unknown(id).map_or("?", |u| u.text.as_str());
                let _ = write!(out, "<unknown: {text}>");
            }
        }
        if paren {
            out.push(')');
        }
    }
}

#[derive(Clone, Copy)]
enum Parsed {
    Signed(i64),
    Unsigned(u64),
    Text,
}

/// `scripts/kconfig/expr.c: expr_parse_string()`: how one side of a comparison is read.
fn parse_for_compare(s: &str, ty: ValueType) -> Parsed {
    match ty {
        ValueType::Bool | ValueType::Tristate => {
            Parsed::Signed(Tristate::from_letter(s).map_or(-1, |t| t as i64))
        }
        ValueType::Int => strtoll(s, 10).map_or(Parsed::Text, Parsed::Signed),
        ValueType::Hex => strtoull_hex(s).map_or(Parsed::Text, Parsed::Unsigned),
        ValueType::Unknown | ValueType::String => {
            strtoll(s, 0).map_or(Parsed::Text, Parsed::Signed)
        }
    }
}

/// The comparison of `__expr_calc_value()`: `strcmp` when both sides are strings or either
/// side does not parse as a number; unsigned when either side is hex; signed otherwise.
pub fn compare_values(ta: ValueType, a: &str, tb: ValueType, b: &str) -> std::cmp::Ordering {
    if ta == ValueType::String && tb == ValueType::String {
        return a.as_bytes().cmp(b.as_bytes());
    }
    match (parse_for_compare(a, ta), parse_for_compare(b, tb)) {
        (Parsed::Text, _) | (_, Parsed::Text) => a.as_bytes().cmp(b.as_bytes()),
        (Parsed::Unsigned(x), y) => x.cmp(&as_unsigned(y)),
        (x, Parsed::Unsigned(y)) => as_unsigned(x).cmp(&y),
        (Parsed::Signed(x), Parsed::Signed(y)) => x.cmp(&y),
    }
}

fn as_unsigned(p: Parsed) -> u64 {
    match p {
        Parsed::Signed(x) => x as u64,
        Parsed::Unsigned(x) => x,
        Parsed::Text => 0,
    }
}

/// `strtoll(s, &tail, base)` accepted only when it consumed the whole non-empty string and
/// ended on a hex digit (`expr_parse_string`'s `!*tail && tail > str && isxdigit(tail[-1])`);
/// errno (overflow) also rejects.
fn strtoll(s: &str, base: u32) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = match base {
        0 if rest.len() > 2 && (rest.starts_with("0x") || rest.starts_with("0X")) => {
            (16, &rest[2..])
        }
        0 if rest.len() > 1 && rest.starts_with('0') => (8, &rest[1..]),
        0 => (10, rest),
        b => (b, rest),
    };
    if digits.is_empty() || !s.ends_with(|c: char| c.is_ascii_hexdigit()) {
        return None;
    }
    let mag = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if mag > i64::MAX as u64 + 1 {
            None
        } else {
            Some((mag as i64).wrapping_neg())
        }
    } else {
        i64::try_from(mag).ok()
    }
}

fn strtoull_hex(s: &str) -> Option<u64> {
    let t = s.trim_start();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if digits.is_empty() || !s.ends_with(|c: char| c.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use std::collections::HashMap;

    struct Env(HashMap<&'static str, (ValueType, &'static str)>, ExprPool);
    impl Valuation for Env {
        fn tristate(&self, n: NameId) -> Tristate {
            match self.0.get(self.1.name_text(n)) {
                Some((ValueType::Bool | ValueType::Tristate, v)) => {
                    Tristate::from_letter(v).unwrap_or(Tristate::No)
                }
                _ => Tristate::No,
            }
        }
        fn string_value(&self, n: NameId) -> (ValueType, Cow<'_, str>) {
            let name = self.1.name_text(n);
            match self.0.get(name) {
                Some((t, v)) => (*t, Cow::Borrowed(*v)),
                None => (ValueType::Unknown, Cow::Owned(name.to_string())),
            }
        }
        fn unknown(&self, _: u32) -> Tristate {
            Tristate::No
        }
    }

    #[test]
    fn tristate_lattice_matches_expr_h() {
        let mut p = ExprPool::new();
        let m = p.constant(Tristate::Mod);
        assert_eq!(p.not(m), m, "!m == m");
        let a = p.symbol_named("A");
        let y = p.yes();
        assert_eq!(p.and(a, y), a);
        let n = p.no();
        assert_eq!(p.or(n, a), a);
        let b = p.symbol_named("B");
        let ab = p.and(a, b);
        assert_eq!(p.and(a, b), ab, "hash-consed");
    }

    #[test]
    fn comparisons_follow_expr_parse_string() {
        use std::cmp::Ordering::*;
        assert_eq!(
            compare_values(ValueType::Int, "64", ValueType::Unknown, "0x40"),
            Equal
        );
        assert_eq!(
            compare_values(ValueType::Hex, "0x10", ValueType::Unknown, "16"),
            Equal
        );
        assert_eq!(
            compare_values(ValueType::Int, "", ValueType::Unknown, "0"),
            Less,
            "empty does not parse: strcmp"
        );
        assert_eq!(
            compare_values(ValueType::String, "10", ValueType::String, "9"),
            Less,
            "two strings: strcmp"
        );
        assert_eq!(
            compare_values(ValueType::Tristate, "m", ValueType::Tristate, "y"),
            Less
        );
    }

    #[test]
    fn undefined_symbol_equals_its_own_name() {
        let mut p = ExprPool::new();
        let foo = p.name("FOO");
        let c = p.name("FOO");
        let e = p.cmp(CmpOp::Eq, Operand::Symbol(foo), Operand::Const(c));
        let env = Env(HashMap::new(), p.clone());
        assert_eq!(p.eval(e, &env), Tristate::Yes);
    }

    #[test]
    fn display_uses_kconfig_precedence() {
        let mut p = ExprPool::new();
        let a = p.symbol_named("A");
        let b = p.symbol_named("B");
        let c = p.symbol_named("C");
        let or = p.or(a, b);
        let and = p.and(or, c);
        let not = p.not(and);
        assert_eq!(p.display(not), "!((A || B) && C)");
    }
}
