//! The kernel's own Kconfig unit tests (`scripts/kconfig/tests`, run by pytest through its
//! `conftest.py`) run against `kpossible config`.
//!
//! Each test directory holds a `Kconfig`, the expected outputs and an `__init__.py` whose
//! `test*` functions call `conf.<mode>(...)` and the checkers. [`cases`] reads those
//! functions (the few statement shapes the kernel's tests use; anything else is reported as
//! unreadable, never skipped), [`run`] performs each call with `kpossible --tree TREE config
//! MODE --kconfig DIR/Kconfig` and compares as `conftest.py` does: `*_contains` is a substring
//! test, `*_matches` equality, on the `.config`, stdout and stderr, and the exit status.
//!
//! conf's interactive modes (`oldaskconfig`, `oldconfig`) feed a newline to every question:
//! with no keys given, the answers are the defaults, which is `olddefconfig`; such a run is
//! done as olddefconfig unless the test reads what conf printed while asking (stdout) of a
//! Kconfig that has questions to ask, or feeds keys: those are *interactive* and skipped, as
//! kpossible asks nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One `test*` function of one test directory.
#[derive(Clone, Debug)]
pub struct Case {
    /// The directory, relative to `scripts/kconfig/tests`.
    pub dir: String,
    /// The function's name.
    pub function: String,
    /// Its statements, in order.
    pub steps: Vec<Step>,
    /// Why the function cannot be read, when it cannot.
    pub unreadable: Option<String>,
}

/// One call of `conf` with its input.
#[derive(Clone, Debug, Default)]
pub struct Run {
    /// `olddefconfig`, `oldaskconfig`, `oldconfig`, `defconfig`, `allyesconfig`, ...
    pub mode: String,
    /// The `.config` copied in (`dot_config`), relative to the test directory.
    pub dot_config: Option<String>,
    /// `defconfig`'s file, `KCONFIG_ALLCONFIG`'s file.
    pub file: Option<String>,
    /// Keys fed to the questions.
    pub in_keys: Option<String>,
    /// `KCONFIG_SEED` (`randconfig(seed=...)`).
    pub seed: Option<u64>,
    /// `extra_env`.
    pub env: Vec<(String, String)>,
    /// `silent=True`: `conf -s` (kpossible is always run `--quiet`).
    pub silent: bool,
}

/// A statement of a test function.
#[derive(Clone, Debug)]
pub enum Step {
    /// `assert conf.MODE(...) == N` (`equal`) or `!= N`.
    Run {
        /// The call.
        run: Run,
        /// The status compared with.
        status: i32,
        /// `==` rather than `!=`.
        equal: bool,
    },
    /// `assert conf.WHAT_contains('FILE') or conf.WHAT_matches('FILE2') ...`: one must hold.
    Check(Vec<Check>),
    /// `assert 'TEXT' not in conf.stderr` (or stdout).
    NotIn {
        /// `stdout` or `stderr`.
        what: String,
        /// The text.
        text: String,
    },
    /// `for i in range(N):` running `randconfig(seed=i)`; each output must match one of
    /// `files`, and with `all`, every one of them must have been seen.
    RandLoop {
        /// Seeds `0..n`.
        n: u64,
        /// The allconfig file, if any.
        all_config: Option<String>,
        /// The acceptable `.config`s.
        files: Vec<String>,
        /// Each must be produced by some seed.
        all: bool,
    },
}

/// One checker call.
#[derive(Clone, Debug)]
pub struct Check {
    /// `config`, `stdout` or `stderr`.
    pub what: String,
    /// `contains` or `matches`.
    pub how: String,
    /// The expected file.
    pub file: String,
}

/// What became of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every statement held.
    Pass,
    /// Every statement held but those of the interactive runs, which were skipped (why).
    PassSkipping(String),
    /// A statement did not hold: which, and what was seen.
    Fail(String),
    /// The test answers conf's questions or reads them: kpossible asks none.
    Interactive(String),
}

/// The test functions of every test directory of the tree at `root`, sorted by directory.
pub fn cases(root: &Path) -> Vec<Case> {
    let base = root.join("scripts/kconfig/tests");
    let mut dirs = Vec::new();
    collect_dirs(&base, &mut dirs);
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let rel = dir
            .strip_prefix(&base)
            .unwrap_or(&dir)
            .display()
            .to_string();
        let text = std::fs::read_to_string(dir.join("__init__.py")).unwrap_or_default();
        for (function, body) in functions(&text) {
            let (steps, unreadable) = match parse_body(&body) {
                Ok(steps) => (steps, None),
                Err(e) => (Vec::new(), Some(e)),
            };
            out.push(Case {
                dir: rel.clone(),
                function,
                steps,
                unreadable,
            });
        }
    }
    out
}

fn collect_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.join("__init__.py").is_file() {
                out.push(p.clone());
            }
            collect_dirs(&p, out);
        }
    }
}

/// `def test...(conf):` functions and their bodies (lines, indentation kept).
fn functions(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("def ") {
            if let Some(f) = current.take() {
                out.push(f);
            }
            let name = rest.split('(').next().unwrap_or("").trim().to_string();
            if name.starts_with("test") {
                current = Some((name, Vec::new()));
            }
        } else if !line.starts_with(' ') && !line.starts_with('\t') && !line.trim().is_empty() {
            if let Some(f) = current.take() {
                out.push(f);
            }
        } else if let Some((_, body)) = &mut current {
            let code = strip_comment(line);
            if !code.trim().is_empty() {
                body.push(code.to_string());
            }
        }
    }
    out.extend(current);
    out
}

fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') => return &line[..i],
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
    }
    line
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Joins lines continued inside brackets into statements, with their indentation.
fn statements(lines: &[String]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut depth = 0i32;
    for line in lines {
        if depth > 0
            && let Some((_, s)) = out.last_mut()
        {
            s.push(' ');
            s.push_str(line.trim());
        } else {
            out.push((indent(line), line.trim().to_string()));
        }
        for c in line.chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
        }
    }
    out
}

fn parse_body(lines: &[String]) -> Result<Vec<Step>, String> {
    let stmts = statements(lines);
    let mut steps = Vec::new();
    let mut i = 0;
    while i < stmts.len() {
        let (ind, s) = &stmts[i];
        if let Some(rest) = s.strip_prefix("for ") {
            let n: u64 = rest
                .split("range(")
                .nth(1)
                .and_then(|r| r.split(')').next())
                .and_then(|r| r.trim().parse().ok())
                .ok_or_else(|| format!("unreadable loop `{s}`"))?;
            let mut body = Vec::new();
            i += 1;
            while i < stmts.len() && stmts[i].0 > *ind {
                body.push(stmts[i].1.clone());
                i += 1;
            }
            steps.push(rand_loop(n, &body, &stmts[i..])?);
            continue;
        }
        if s.contains(" = False") || s.contains(" = True") {
            i += 1;
            continue;
        }
        let Some(cond) = s.strip_prefix("assert ") else {
            return Err(format!("unreadable statement `{s}`"));
        };
        steps.push(parse_assert(cond)?);
        i += 1;
    }
    // The asserts after a loop on the flags it set are part of the loop.
    steps.retain(|s| !matches!(s, Step::Check(c) if c.is_empty()));
    Ok(steps)
}

fn rand_loop(n: u64, body: &[String], after: &[(usize, String)]) -> Result<Step, String> {
    let mut all_config = None;
    let mut files = Vec::new();
    let mut seeded = false;
    for s in body {
        if let Some(call) = s.split("conf.randconfig(").nth(1) {
            let args = call_args(call)?;
            seeded = args.iter().any(|(k, _)| k.as_deref() == Some("seed"));
            all_config = args
                .iter()
                .find(|(k, _)| k.as_deref() == Some("all_config") || k.is_none())
                .and_then(|(_, v)| string_value(v));
        }
        for part in s.split("conf.config_matches(").skip(1) {
            let f = part.split(')').next().and_then(string_value);
            files.extend(f);
        }
    }
    if !seeded {
        return Err("a loop without randconfig(seed=i)".into());
    }
    // `expectedK = True` flags asserted after the loop: every file must be seen.
    let all = after
        .iter()
        .any(|(_, s)| s.starts_with("assert ") && !s.contains("conf.") && !s.contains(" in "));
    Ok(Step::RandLoop {
        n,
        all_config,
        files,
        all,
    })
}

fn parse_assert(cond: &str) -> Result<Step, String> {
    let cond = cond.trim();
    if let Some((text, what)) = cond.split_once(" not in conf.") {
        return Ok(Step::NotIn {
            what: what.trim().to_string(),
            text: string_value(text).ok_or_else(|| format!("unreadable `{cond}`"))?,
        });
    }
    for op in ["==", "!="] {
        if let Some((call, status)) = cond.split_once(op) {
            let status: i32 = status
                .trim()
                .parse()
                .map_err(|_| format!("unreadable status in `{cond}`"))?;
            return Ok(Step::Run {
                run: parse_run(call.trim())?,
                status,
                equal: op == "==",
            });
        }
    }
    let inner = cond.trim_start_matches('(').trim_end_matches(')');
    let mut checks = Vec::new();
    for part in inner.split(" or ") {
        let part = part.trim().trim_start_matches('(').trim_end_matches(')');
        let Some(call) = part.strip_prefix("conf.") else {
            // `assert expected0`: a loop's flag, read with the loop.
            if part.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return Ok(Step::Check(Vec::new()));
            }
            return Err(format!("unreadable check `{cond}`"));
        };
        let (name, args) = call
            .split_once('(')
            .ok_or_else(|| format!("unreadable check `{cond}`"))?;
        let (what, how) = name
            .split_once('_')
            .ok_or_else(|| format!("unknown checker `{name}`"))?;
        let file = string_value(args.trim_end_matches(')'))
            .ok_or_else(|| format!("unreadable check `{cond}`"))?;
        checks.push(Check {
            what: what.to_string(),
            how: how.to_string(),
            file,
        });
    }
    Ok(Step::Check(checks))
}

fn parse_run(call: &str) -> Result<Run, String> {
    let call = call
        .strip_prefix("conf.")
        .ok_or_else(|| format!("unreadable call `{call}`"))?;
    let (name, rest) = call
        .split_once('(')
        .ok_or_else(|| format!("unreadable call `{call}`"))?;
    let rest = rest.strip_suffix(')').unwrap_or(rest);
    let args = call_args(rest)?;
    let mut run = Run::default();
    let mut positional = args.iter().filter(|(k, _)| k.is_none()).map(|(_, v)| v);
    match name {
        "_run_conf" => {
            let mode = positional
                .next()
                .and_then(|v| string_value(v))
                .ok_or_else(|| format!("unreadable mode in `{call}`"))?;
            let mode = mode.trim_start_matches('-');
            run.mode = mode.split('=').next().unwrap_or(mode).to_string();
        }
        "oldaskconfig" | "oldconfig" | "olddefconfig" | "savedefconfig" | "listnewconfig" => {
            run.mode = name.to_string();
            run.dot_config = positional.next().and_then(|v| string_value(v));
            run.in_keys = positional.next().and_then(|v| string_value(v));
        }
        "defconfig" | "allyesconfig" | "allmodconfig" | "allnoconfig" | "alldefconfig"
        | "randconfig" => {
            run.mode = name.to_string();
            run.file = positional.next().and_then(|v| string_value(v));
        }
        other => return Err(format!("unknown conf call `{other}`")),
    }
    for (k, v) in &args {
        match k.as_deref() {
            Some("dot_config") => run.dot_config = string_value(v),
            Some("in_keys") => run.in_keys = string_value(v),
            Some("all_config") => run.file = string_value(v),
            Some("seed") => run.seed = v.trim().parse().ok(),
            Some("silent") => run.silent = v.trim() == "True",
            Some("out_file") => {}
            Some("extra_env") => {
                let body = v.trim().trim_start_matches('{').trim_end_matches('}');
                for pair in body.split(',') {
                    if let Some((k, v)) = pair.split_once(':') {
                        run.env.extend(string_value(k).zip(string_value(v)));
                    }
                }
            }
            Some(other) => return Err(format!("unknown argument `{other}` in `{call}`")),
            None => {}
        }
    }
    Ok(run)
}

/// Splits call arguments at top-level commas: `(keyword, text)`.
fn call_args(s: &str) -> Result<Vec<(Option<String>, String)>, String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        if depth < 0 {
            break;
        }
        cur.push(c);
    }
    parts.push(cur);
    Ok(parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v))
                if !k.contains('\'')
                    && !k.contains('"')
                    && k.trim().chars().all(|c| c.is_alphanumeric() || c == '_') =>
            {
                (Some(k.trim().to_string()), v.trim().to_string())
            }
            _ => (None, p),
        })
        .collect())
}

/// A Python string literal's text (`\n` escapes read).
fn string_value(v: &str) -> Option<String> {
    let v = v.trim();
    let q = v.chars().next()?;
    if (q != '\'' && q != '"') || !v.ends_with(q) || v.len() < 2 {
        return None;
    }
    Some(v[1..v.len() - 1].replace("\\n", "\n"))
}

/// What one `kpossible config` run gave.
pub struct Output {
    /// Exit status.
    pub status: i32,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
    /// The `.config` written, when the status is 0.
    pub config: Option<String>,
}

/// The `kpossible` binary the tests run: `$KPOSSIBLE_BIN`, else the one built beside this
/// executable (`scripts/test` builds it first).
pub fn kpossible_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("KPOSSIBLE_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("current exe");
    for dir in exe.ancestors().skip(1).take(2) {
        let p = dir.join("kpossible");
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "no kpossible binary beside {}: run `cargo build --release -p kpossible` first or set KPOSSIBLE_BIN",
        exe.display()
    );
}

/// Whether conf asks questions on the Kconfig of `dir`: a prompt anywhere in its files.
fn has_questions(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name.starts_with("Kconfig")
            && std::fs::read_to_string(e.path()).is_ok_and(|t| {
                t.lines().any(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                matches!(
                    w.as_slice(),
                    [kw, q, ..] if ["bool", "tristate", "int", "hex", "string", "prompt", "menu"]
                        .contains(kw) && q.starts_with('"')
                )
            })
            })
    })
}

/// Why the run at `steps[i]` is interactive, if it is: it feeds keys, or it asks questions
/// and the checks after it read stdout.
fn interactive_run(dir: &Path, steps: &[Step], i: usize) -> Option<String> {
    let Step::Run { run, .. } = &steps[i] else {
        return None;
    };
    if run.mode != "oldaskconfig" && run.mode != "oldconfig" {
        return None;
    }
    if let Some(keys) = &run.in_keys {
        return Some(format!(
            "{} answers questions with '{}'",
            run.mode,
            keys.escape_default()
        ));
    }
    let reads_stdout = steps[i + 1..]
        .iter()
        .take_while(|s| !matches!(s, Step::Run { .. }))
        .any(|s| matches!(s, Step::Check(cs) if cs.iter().any(|c| c.what == "stdout")));
    (reads_stdout && has_questions(dir))
        .then(|| format!("{} output read: the questions conf printed", run.mode))
}

/// Runs one call with `kpossible --tree TREE config`.
pub fn invoke(bin: &Path, tree: &Path, dir: &Path, run: &Run) -> Output {
    let work = tempfile::tempdir().expect("tempdir");
    let out = work.path().join(".config");
    let mode = match run.mode.as_str() {
        // Enter for every question: the defaults.
        "oldaskconfig" | "oldconfig" => "olddefconfig",
        m => m,
    };
    let mut cmd = Command::new(bin);
    // `--quiet`: without the line naming the tree, which conf has no counterpart of; the
    // preprocessor's output is printed all the same, as by `conf -s`.
    cmd.arg("--tree").arg(tree).arg("--quiet");
    cmd.args(["config", mode, "--kconfig"])
        .arg(dir.join("Kconfig"))
        .arg("-o")
        .arg(&out)
        .current_dir(work.path())
        .env("srctree", dir)
        .env("KCONFIG_DEFCONFIG_LIST", "")
        .env_remove("KCONFIG_ALLCONFIG")
        .env_remove("KCONFIG_CONFIG")
        .env_remove("KCONFIG_SEED")
        .env_remove("KCONFIG_PROBABILITY");
    match mode {
        "olddefconfig" => {
            let input = work.path().join("input.config");
            match &run.dot_config {
                Some(f) => std::fs::copy(dir.join(f), &input).map(|_| ()),
                // No .config: every symbol takes its default, as from an empty one.
                None => std::fs::write(&input, ""),
            }
            .expect("input .config");
            cmd.arg("--config").arg(&input);
        }
        "defconfig" => {
            if let Some(f) = &run.file {
                cmd.arg("--defconfig").arg(dir.join(f));
            }
        }
        _ => {
            if let Some(f) = &run.file {
                cmd.env("KCONFIG_ALLCONFIG", dir.join(f));
            }
        }
    }
    if let Some(seed) = run.seed {
        cmd.env("KCONFIG_SEED", format!("{seed:#x}"));
    }
    for (k, v) in &run.env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("run kpossible");
    let status = o.status.code().unwrap_or(-1);
    Output {
        status,
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        config: (status == 0)
            .then(|| std::fs::read_to_string(&out).ok())
            .flatten(),
    }
}

fn holds(out: &Output, dir: &Path, c: &Check) -> Result<bool, String> {
    let expected =
        std::fs::read_to_string(dir.join(&c.file)).map_err(|e| format!("{}: {e}", c.file))?;
    let got = match c.what.as_str() {
        "config" => out.config.as_deref().unwrap_or(""),
        "stdout" => &out.stdout,
        "stderr" => &out.stderr,
        w => return Err(format!("unknown checker subject `{w}`")),
    };
    Ok(match c.how.as_str() {
        "contains" => got.contains(&expected),
        "matches" => got == expected,
        h => return Err(format!("unknown checker `{h}`")),
    })
}

/// Runs a case and compares as `conftest.py` does.
pub fn run(bin: &Path, tree: &Path, case: &Case) -> Outcome {
    if let Some(why) = &case.unreadable {
        return Outcome::Fail(format!("__init__.py not understood: {why}"));
    }
    let dir = tree.join("scripts/kconfig/tests").join(&case.dir);
    let mut last: Option<Output> = None;
    let mut skipped: Vec<String> = Vec::new();
    let mut skipping = false;
    for (i, step) in case.steps.iter().enumerate() {
        if let Some(why) = interactive_run(&dir, &case.steps, i) {
            skipped.push(why);
            skipping = true;
            continue;
        }
        if matches!(step, Step::Run { .. }) {
            skipping = false;
        }
        if skipping {
            continue;
        }
        match step {
            Step::Run { run, status, equal } => {
                let out = invoke(bin, tree, &dir, run);
                if (out.status == *status) != *equal {
                    return Outcome::Fail(format!(
                        "{}: exit status {} ({} {status} expected){}",
                        run.mode,
                        out.status,
                        if *equal { "==" } else { "!=" },
                        first_lines(&out.stderr)
                    ));
                }
                last = Some(out);
            }
            Step::Check(checks) => {
                let Some(out) = &last else {
                    return Outcome::Fail("a check before any run".into());
                };
                let mut any = false;
                for c in checks {
                    match holds(out, &dir, c) {
                        Ok(true) => any = true,
                        Ok(false) => {}
                        Err(e) => return Outcome::Fail(e),
                    }
                }
                if !any {
                    let c = &checks[0];
                    let got = match c.what.as_str() {
                        "config" => out.config.clone().unwrap_or_default(),
                        "stdout" => out.stdout.clone(),
                        _ => out.stderr.clone(),
                    };
                    return Outcome::Fail(format!(
                        "{}_{} `{}` does not hold; got {}: {}",
                        c.what,
                        c.how,
                        c.file,
                        c.what,
                        summary(&got)
                    ));
                }
            }
            Step::NotIn { what, text } => {
                let Some(out) = &last else {
                    return Outcome::Fail("a check before any run".into());
                };
                let got = if what == "stdout" {
                    &out.stdout
                } else {
                    &out.stderr
                };
                if got.contains(text.as_str()) {
                    return Outcome::Fail(format!("`{text}` is in {what}"));
                }
            }
            Step::RandLoop {
                n,
                all_config,
                files,
                all,
            } => {
                let mut seen = vec![false; files.len()];
                for seed in 0..*n {
                    let run = Run {
                        mode: "randconfig".into(),
                        file: all_config.clone(),
                        seed: Some(seed),
                        ..Run::default()
                    };
                    let out = invoke(bin, tree, &dir, &run);
                    if out.status != 0 {
                        return Outcome::Fail(format!(
                            "randconfig seed {seed}: exit status {}{}",
                            out.status,
                            first_lines(&out.stderr)
                        ));
                    }
                    let got = out.config.unwrap_or_default();
                    let Some(k) = files
                        .iter()
                        .position(|f| std::fs::read_to_string(dir.join(f)).is_ok_and(|e| e == got))
                    else {
                        return Outcome::Fail(format!(
                            "randconfig seed {seed} matches none of {}: {}",
                            files.join(", "),
                            summary(&got)
                        ));
                    };
                    seen[k] = true;
                    if *all && seen.iter().all(|&s| s) {
                        break;
                    }
                }
                if *all && !seen.iter().all(|&s| s) {
                    let missing: Vec<&str> = files
                        .iter()
                        .zip(&seen)
                        .filter(|(_, s)| !**s)
                        .map(|(f, _)| f.as_str())
                        .collect();
                    return Outcome::Fail(format!(
                        "no seed below {n} gives {}",
                        missing.join(", ")
                    ));
                }
            }
        }
    }
    let runs = case
        .steps
        .iter()
        .filter(|s| matches!(s, Step::Run { .. } | Step::RandLoop { .. }))
        .count();
    if skipped.is_empty() {
        Outcome::Pass
    } else if skipped.len() == runs {
        Outcome::Interactive(skipped.join("; "))
    } else {
        Outcome::PassSkipping(skipped.join("; "))
    }
}

fn first_lines(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; stderr: {}", summary(s))
    }
}

/// The text on one line, `\n` shown as `⏎`, cut at 300 characters.
fn summary(s: &str) -> String {
    let one: String = s.replace('\n', "⏎");
    if one.chars().count() > 300 {
        format!("{}…", one.chars().take(300).collect::<String>())
    } else {
        one
    }
}

/// The results of every tree of `versions` found in the cache, as the markdown table of
/// `docs/kconfig-tests.md`, with the count per tree.
pub fn table(results: &[(String, Vec<(Case, Outcome)>)]) -> String {
    let mut out = String::new();
    out.push_str("| tree | pass | fail | interactive (skipped) |\n|---|---|---|---|\n");
    for (v, rs) in results {
        let count = |f: fn(&Outcome) -> bool| rs.iter().filter(|(_, o)| f(o)).count();
        out.push_str(&format!(
            "| {v} | {} | {} | {} |\n",
            count(|o| matches!(o, Outcome::Pass | Outcome::PassSkipping(_))),
            count(|o| matches!(o, Outcome::Fail(_))),
            count(|o| matches!(o, Outcome::Interactive(_)))
        ));
    }
    out.push_str("\n| tree | case | result | reason |\n|---|---|---|---|\n");
    for (v, rs) in results {
        for (c, o) in rs {
            let (result, why) = match o {
                Outcome::Pass => ("pass", String::new()),
                Outcome::PassSkipping(w) => ("pass", format!("interactive run skipped: {w}")),
                Outcome::Fail(w) => ("**fail**", w.clone()),
                Outcome::Interactive(w) => ("interactive (skipped)", w.clone()),
            };
            out.push_str(&format!(
                "| {v} | `{}::{}` | {result} | {} |\n",
                c.dir,
                c.function,
                why.replace('|', "\\|").replace('`', "'")
            ));
        }
    }
    out
}
