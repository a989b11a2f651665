//! Which temporaries are live at each block's entry (a backward may-analysis).
//!
//! Why: the forward analyses keep a state entry per assigned local, and the lowering
//! makes a temporary for every intermediate value. A `match` on hundreds of literals
//! (`b"GET" | b"SET" | ..`) makes hundreds of comparison temporaries, each read once by
//! its switch; carried to the end of the body, they made every block's state as large
//! as the number of literals before it (quadratic: one such fn of a real crate took
//! 140 ms). A temporary that no later statement reads cannot change a result, so the
//! analyses drop it on the edges where it dies. Only temporaries (locals without a
//! source name) are dropped: named locals are read by closures (captures are not
//! operands of the parent) and by the rules' labels.

use pairlint_base::ir::{BlockId, Body, Call, Callee, LocalId, Operand, Place, Projection, Rvalue, Terminator};

/// The temporaries live on entry to every block, as bitsets over the body's locals.
#[derive(Debug, Clone)]
pub struct TempLiveness {
    /// Per block: bit `l` set when temporary `l` may be read before it is assigned again.
    live_in: Vec<Vec<u64>>,
    /// Per local: whether it is a temporary (unnamed, not a parameter).
    temp: Vec<bool>,
}

impl TempLiveness {
    pub fn new(body: &Body) -> TempLiveness {
        let temp: Vec<bool> = body
            .locals
            .iter()
            .enumerate()
            .map(|(i, local)| i >= body.params as usize && local.name.is_none())
            .collect();
        let words = temp.len().div_ceil(64);
        let blocks = body.blocks.len();
        // Per block: temporaries read before any assignment in it (gen), and assigned
        // as a whole (kill).
        let mut gen = vec![vec![0u64; words]; blocks];
        let mut kill = vec![vec![0u64; words]; blocks];
        for (b, block) in body.blocks.iter().enumerate() {
            let (g, k) = (&mut gen[b], &mut kill[b]);
            let is_temp = |l: LocalId| temp.get(l.index()).copied().unwrap_or(false);
            let set = |bits: &mut Vec<u64>, l: LocalId| bits[l.index() / 64] |= 1 << (l.index() % 64);
            // Walk backwards: a read is live-in unless an earlier statement assigns the
            // whole temporary first.
            let mut reads = Vec::new();
            terminator_reads(&block.term, &mut reads);
            for stmt in block.stmts.iter().rev() {
                for l in reads.drain(..).filter(|&l| is_temp(l)) {
                    set(g, l);
                }
                if stmt.dest.projections.is_empty() {
                    if let Some(l) = stmt.dest.base_local().filter(|&l| is_temp(l)) {
                        g[l.index() / 64] &= !(1 << (l.index() % 64));
                        set(k, l);
                    }
                } else {
                    // A partial write keeps the rest of the value: it reads the local.
                    place_reads(&stmt.dest, &mut reads);
                }
                rvalue_reads(&stmt.value, &mut reads);
            }
            for l in reads.drain(..).filter(|&l| is_temp(l)) {
                set(g, l);
            }
        }
        // live_in = gen ∪ (∪ live_in(successors) − kill), to the fixpoint.
        let successors: Vec<Vec<BlockId>> = body.blocks.iter().map(|b| b.term.successors()).collect();
        let mut live_in = gen.clone();
        let mut changed = true;
        while changed {
            changed = false;
            for b in (0..blocks).rev() {
                for w in 0..words {
                    let mut out = 0u64;
                    for s in &successors[b] {
                        if let Some(live) = live_in.get(s.index()) {
                            out |= live[w];
                        }
                    }
                    let value = gen[b][w] | (out & !kill[b][w]);
                    if value != live_in[b][w] {
                        live_in[b][w] = value;
                        changed = true;
                    }
                }
            }
        }
        TempLiveness { live_in, temp }
    }

    /// Whether `local` is a temporary that nothing reads from `block`'s entry on.
    pub fn dead_at_entry(&self, block: BlockId, local: LocalId) -> bool {
        let i = local.index();
        self.temp.get(i).copied().unwrap_or(false)
            && self.live_in.get(block.index()).is_some_and(|live| live[i / 64] & (1 << (i % 64)) == 0)
    }
}

fn operand_reads(op: &Operand, out: &mut Vec<LocalId>) {
    match op {
        Operand::Place(place) => place_reads(place, out),
        Operand::Capture(_) | Operand::Const(_) => {}
    }
}

fn place_reads(place: &Place, out: &mut Vec<LocalId>) {
    out.extend(place.base_local());
    for projection in &place.projections {
        if let Projection::Index(l) = projection {
            out.push(*l);
        }
    }
}

fn call_reads(call: &Call, out: &mut Vec<LocalId>) {
    if let Callee::Value(op) = &call.callee {
        operand_reads(op, out);
    }
    for op in call.receiver.iter().chain(&call.args) {
        operand_reads(op, out);
    }
}

fn rvalue_reads(value: &Rvalue, out: &mut Vec<LocalId>) {
    match value {
        Rvalue::Use(op) | Rvalue::UnaryOp(_, op) | Rvalue::Await(op) => operand_reads(op, out),
        Rvalue::Ref { place, .. } => place_reads(place, out),
        Rvalue::Call(call) => call_reads(call, out),
        Rvalue::Aggregate { fields, .. } => fields.iter().for_each(|(_, op)| operand_reads(op, out)),
        Rvalue::BinaryOp(_, a, b) => {
            operand_reads(a, out);
            operand_reads(b, out);
        }
        Rvalue::Opaque(ops) => ops.iter().for_each(|op| operand_reads(op, out)),
        Rvalue::Closure(_) => {}
    }
}

fn terminator_reads(term: &Terminator, out: &mut Vec<LocalId>) {
    match term {
        Terminator::SwitchBool { cond, .. } => operand_reads(cond, out),
        Terminator::SwitchVariant { scrutinee, .. } => place_reads(scrutinee, out),
        Terminator::Return(op) => operand_reads(op, out),
        Terminator::Goto(_) | Terminator::Diverge => {}
    }
}
