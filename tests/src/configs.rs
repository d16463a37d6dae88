//! Configuration inputs for conformance tests: randconfigs from the real `conf`, and the same
//! with symbol values flipped, so `olddefconfig` has real work to do.

/// A tiny deterministic generator (SplitMix64), so a failing case can be replayed from its seed.
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `config` with `count` bool/tristate values changed at random (`y`→`n`, `n`→`y` or `m`,
/// `m`→`y` or `n`), chosen by `seed`. Lines keep their place; only values change.
pub fn flip_values(config: &str, count: usize, seed: u64) -> String {
    let mut lines: Vec<String> = config.lines().map(str::to_string).collect();
    let candidates: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.ends_with("=y")
                || l.ends_with("=m")
                || (l.starts_with("# CONFIG_") && l.ends_with(" is not set"))
        })
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return config.to_string();
    }
    let mut rng = SplitMix::new(seed);
    for _ in 0..count {
        let i = candidates[rng.below(candidates.len())];
        let line = &lines[i];
        let (name, value) = if let Some(rest) = line.strip_prefix("# CONFIG_") {
            (rest.trim_end_matches(" is not set").to_string(), 'n')
        } else {
            let (n, v) = line
                .trim_start_matches("CONFIG_")
                .split_once('=')
                .unwrap_or(("", "n"));
            (n.to_string(), v.chars().next().unwrap_or('n'))
        };
        let choices: &[char] = match value {
            'y' => &['n', 'm'],
            'm' => &['y', 'n'],
            _ => &['y', 'm'],
        };
        let new = choices[rng.below(choices.len())];
        lines[i] = if new == 'n' {
            format!("# CONFIG_{name} is not set")
        } else {
            format!("CONFIG_{name}={new}")
        };
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The first lines where two `.config` bodies differ, for a readable failure.
pub fn first_differences(ours: &str, theirs: &str, max: usize) -> String {
    use std::collections::BTreeSet;
    let a: BTreeSet<&str> = ours.lines().collect();
    let b: BTreeSet<&str> = theirs.lines().collect();
    let mut out = String::new();
    for l in a.difference(&b).take(max) {
        out.push_str(&format!("  ours only:   {l}\n"));
    }
    for l in b.difference(&a).take(max) {
        out.push_str(&format!("  conf only:   {l}\n"));
    }
    if out.is_empty() && ours != theirs {
        out.push_str("  same lines, different order\n");
    }
    out
}
