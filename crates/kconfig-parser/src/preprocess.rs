//! The macro language of `scripts/kconfig/preprocess.c`: variables (`=`, `:=`, `+=`), user
//! functions called with `$(name,arg,...)` and read as `$(1)`, `$(2)`..., the six built-ins
//! and environment variables.
//!
//! What differs from the C code, on purpose: every fatal `pperror()` becomes a diagnostic and
//! the reference expands to nothing; nesting and output size are bounded so no input can
//! exhaust the stack or memory; and `$(shell,...)` has two modes ([`ShellMode`]). In
//! [`ShellMode::Record`] a call runs nothing and expands to a *marker*, a private-use
//! character pair around the call's index, which the parser turns into an explicit unknown
//! fact wherever it lands (see the crate documentation).

use std::collections::{HashMap, HashSet};

use kp_base::{Diagnostic, Span};

use crate::model::{EnvRead, ShellCall, ShellCallId};

/// What `$(shell,...)` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellMode {
    /// Run the command with `/bin/sh -c`, as `do_shell()` does with `popen()`, so results
    /// equal the kernel's own tools given the same environment.
    Run,
    /// Run nothing; each call becomes an unknown toolchain fact recorded in
    /// [`crate::Model::shell_calls`].
    Record,
}

/// Opens a recorded call's marker in expanded text.
pub(crate) const MARK_OPEN: char = '\u{E000}';
/// Closes a marker.
pub(crate) const MARK_CLOSE: char = '\u{E001}';

/// Deepest nesting of `$(...)` references and user-function calls. The kernel allows 1000
/// expansions of one variable; the kernel's own files nest fewer than ten.
const MAX_DEPTH: u32 = 100;
/// Largest expansion of one reference, in bytes.
const MAX_LEN: usize = 1 << 20;
/// Clauses evaluated for one top-level reference before giving up.
const MAX_FUEL: u32 = 200_000;
/// `FUNCTION_MAX_ARGS`.
const MAX_ARGS: usize = 16;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Recursive,
    Simple,
}

struct Variable {
    value: String,
    flavor: Flavor,
    expanding: u32,
}

/// How an assignment was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AssignOp {
    /// `=`
    Recursive,
    /// `:=`
    Simple,
    /// `+=`
    Append,
}

/// The message prefixes of the diagnostics the three output built-ins give.
pub(crate) const ERROR_IF: &str = "$(error-if): ";
pub(crate) const WARNING_IF: &str = "$(warning-if): ";
pub(crate) const INFO: &str = "$(info): ";

/// Where an expansion happens: the reference's span, the file name `$(filename)` gives and
/// the file's text (for `$(lineno)`).
pub(crate) struct Site<'s> {
    pub span: Span,
    pub filename: &'s str,
    pub src: &'s str,
}

/// The preprocessor state of one parse: variables persist across files, as in the kernel.
pub(crate) struct Preprocessor {
    vars: HashMap<String, Variable>,
    env: HashMap<String, String>,
    /// What the tools are (see [`crate::Options::toolchain`]), rendered for probe keys.
    toolchain: String,
    mode: ShellMode,
    pub shell_calls: Vec<ShellCall>,
    pub env_reads: Vec<EnvRead>,
    env_seen: HashSet<String>,
    pub diags: Vec<Diagnostic>,
    depth: u32,
    fuel: u32,
    failed: bool,
}

impl Preprocessor {
    pub(crate) fn new(
        mode: ShellMode,
        env: &[(String, String)],
        toolchain: &[(String, String)],
    ) -> Preprocessor {
        Preprocessor {
            vars: HashMap::new(),
            env: env.iter().cloned().collect(),
            toolchain: crate::probes::render_toolchain(toolchain),
            mode,
            shell_calls: Vec::new(),
            env_reads: Vec::new(),
            env_seen: HashSet::new(),
            diags: Vec::new(),
            depth: 0,
            fuel: MAX_FUEL,
            failed: false,
        }
    }

    /// `variable_add()`: `NAME = value`, `NAME := value` (expanded now), `NAME += value`.
    pub(crate) fn assign(&mut self, name: &str, value: &str, op: AssignOp, site: &Site<'_>) {
        let (flavor, append) = match (self.vars.get(name), op) {
            (Some(v), AssignOp::Append) => (v.flavor, true),
            (None, AssignOp::Append) | (_, AssignOp::Recursive) => (Flavor::Recursive, false),
            (_, AssignOp::Simple) => (Flavor::Simple, false),
        };
        let new_value = if flavor == Flavor::Simple {
            self.expand_top(value, site)
        } else {
            value.to_string()
        };
        match self.vars.get_mut(name) {
            Some(v) if append => {
                if v.value.len() + new_value.len() < MAX_LEN {
                    v.value.push(' ');
                    v.value.push_str(&new_value);
                } else {
                    self.diags.push(Diagnostic::error(
                        "KP0306",
                        site.span,
                        format!("variable `{name}` grows beyond {MAX_LEN} bytes"),
                    ));
                }
            }
            Some(v) => {
                v.value = new_value;
                v.flavor = flavor;
            }
            None => {
                self.vars.insert(
                    name.to_string(),
                    Variable {
                        value: new_value,
                        flavor,
                        expanding: 0,
                    },
                );
            }
        }
    }

    /// Expands a whole string (`expand_string()`), e.g. the right side of `:=`.
    pub(crate) fn expand_top(&mut self, s: &str, site: &Site<'_>) -> String {
        self.begin();
        let (out, _) = self.expand_until(s, &[], site, false);
        out
    }

    /// `expand_one_token()`: expands from the start of `s` to the end of the token (the first
    /// character that is not alphanumeric, `_` or `-`, outside references). Returns the
    /// expansion and the number of bytes consumed.
    pub(crate) fn expand_token(&mut self, s: &str, site: &Site<'_>) -> (String, usize) {
        self.begin();
        self.expand_until(s, &[], site, true)
    }

    /// `expand_dollar()`: `s` starts right after a `$` inside a quoted string. Returns the
    /// expansion and the number of bytes consumed.
    pub(crate) fn expand_dollar_top(&mut self, s: &str, site: &Site<'_>) -> (String, usize) {
        self.begin();
        self.expand_dollar(s, &[], site)
    }

    fn begin(&mut self) {
        self.depth = 0;
        self.fuel = MAX_FUEL;
        self.failed = false;
    }

    fn fail(&mut self, site: &Site<'_>, code: &'static str, msg: String) {
        if !self.failed {
            self.diags.push(Diagnostic::error(code, site.span, msg));
        }
        self.failed = true;
    }

    /// `__expand_string()`.
    fn expand_until(
        &mut self,
        s: &str,
        args: &[String],
        site: &Site<'_>,
        token: bool,
    ) -> (String, usize) {
        let mut out = String::new();
        let bytes = s.as_bytes();
        let mut lit = 0;
        let mut p = 0;
        while p < bytes.len() {
            let c = bytes[p];
            if c == b'$' {
                out.push_str(&s[lit..p]);
                let (exp, used) = self.expand_dollar(&s[p + 1..], args, site);
                out.push_str(&exp);
                p += 1 + used;
                lit = p;
                if out.len() > MAX_LEN {
                    self.fail(
                        site,
                        "KP0306",
                        format!("macro expansion longer than {MAX_LEN} bytes"),
                    );
                    out.truncate(floor_boundary(&out, MAX_LEN));
                    return (out, s.len());
                }
                continue;
            }
            if token && !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
                break;
            }
            p += 1;
        }
        out.push_str(&s[lit..p]);
        (out, p)
    }

    /// `expand_dollar_with_args()`: `s` starts after `$`.
    fn expand_dollar(&mut self, s: &str, args: &[String], site: &Site<'_>) -> (String, usize) {
        // `$` not followed by `(` loses its meaning: no `$X`, no `${X}` in Kconfig.
        if !s.starts_with('(') {
            return ("$".to_string(), 0);
        }
        let mut nest = 0i32;
        let mut end = None;
        for (i, b) in s.bytes().enumerate().skip(1) {
            if b == b'(' {
                nest += 1;
            } else if b == b')' {
                if nest == 0 {
                    end = Some(i);
                    break;
                }
                nest -= 1;
            }
        }
        let Some(end) = end else {
            let shown: String = s[1..].chars().take(60).collect();
            self.fail(
                site,
                "KP0301",
                format!("unterminated reference `$({shown}`: expected `)`"),
            );
            return (String::new(), s.len());
        };
        if self.failed {
            return (String::new(), end + 1);
        }
        if self.depth >= MAX_DEPTH {
            self.fail(
                site,
                "KP0305",
                format!("macro references nested more than {MAX_DEPTH} deep"),
            );
            return (String::new(), end + 1);
        }
        if self.fuel == 0 {
            self.fail(
                site,
                "KP0305",
                "macro expansion does not terminate (too many steps)".to_string(),
            );
            return (String::new(), end + 1);
        }
        self.fuel -= 1;
        self.depth += 1;
        let out = self.eval_clause(&s[1..end], args, site);
        self.depth -= 1;
        (out, end + 1)
    }

    /// `eval_clause()`: `$(1)`, then variables, then built-ins, then the environment.
    fn eval_clause(&mut self, clause: &str, args: &[String], site: &Site<'_>) -> String {
        // `$(1)`..: an argument of the current user-function call (`strtoul` must consume
        // everything and give 1..=argc).
        if let Ok(n) = clause.parse::<usize>()
            && clause.bytes().all(|b| b.is_ascii_digit())
            && n > 0
            && n <= args.len()
        {
            return args[n - 1].clone();
        }
        // Split on top-level commas; only parentheses nest.
        let mut parts: Vec<&str> = Vec::new();
        let mut nest = 0i32;
        let mut prev = 0;
        for (i, b) in clause.bytes().enumerate() {
            match b {
                b',' if nest == 0 => {
                    parts.push(&clause[prev..i]);
                    prev = i + 1;
                }
                b'(' => nest += 1,
                b')' => nest -= 1,
                _ => {}
            }
        }
        parts.push(&clause[prev..]);
        if parts.len() > MAX_ARGS {
            self.fail(
                site,
                "KP0302",
                format!("too many function arguments (at most {})", MAX_ARGS - 1),
            );
            return String::new();
        }
        let name = self.expand_until(parts[0], args, site, false).0;
        let mut new_args = Vec::with_capacity(parts.len() - 1);
        for part in &parts[1..] {
            new_args.push(self.expand_until(part, args, site, false).0);
        }
        if self.failed {
            return String::new();
        }
        if let Some(v) = self.variable_expand(&name, &new_args, site) {
            return v;
        }
        if let Some(v) = self.function_expand(&name, &new_args, site) {
            return v;
        }
        if new_args.is_empty()
            && let Some(v) = self.env_expand(&name, site)
        {
            return v;
        }
        String::new()
    }

    fn variable_expand(&mut self, name: &str, args: &[String], site: &Site<'_>) -> Option<String> {
        let v = self.vars.get_mut(name)?;
        if args.is_empty() && v.expanding > 0 {
            self.fail(
                site,
                "KP0303",
                format!("Recursive variable '{name}' references itself (eventually)"),
            );
            return Some(String::new());
        }
        if v.flavor == Flavor::Simple {
            return Some(v.value.clone());
        }
        v.expanding += 1;
        let value = v.value.clone();
        let out = self.expand_until(&value, args, site, false).0;
        if let Some(v) = self.vars.get_mut(name) {
            v.expanding -= 1;
        }
        Some(out)
    }

    fn function_expand(&mut self, name: &str, args: &[String], site: &Site<'_>) -> Option<String> {
        let (min, max) = match name {
            "error-if" | "warning-if" => (2, 2),
            "filename" | "lineno" => (0, 0),
            "info" | "shell" => (1, 1),
            _ => return None,
        };
        if args.len() < min {
            self.fail(
                site,
                "KP0304",
                format!("too few function arguments passed to '{name}'"),
            );
            return Some(String::new());
        }
        if args.len() > max {
            self.fail(
                site,
                "KP0304",
                format!("too many function arguments passed to '{name}'"),
            );
            return Some(String::new());
        }
        Some(match name {
            "error-if" => {
                if args[0] == "y" {
                    self.diags.push(Diagnostic::error(
                        "KP0310",
                        site.span,
                        format!("{ERROR_IF}{}", args[1]),
                    ));
                }
                String::new()
            }
            "warning-if" => {
                if args[0] == "y" {
                    self.diags.push(Diagnostic::warning(
                        "KP0311",
                        site.span,
                        format!("{WARNING_IF}{}", args[1]),
                    ));
                }
                String::new()
            }
            "info" => {
                let mut d = Diagnostic::warning("KP0312", site.span, format!("{INFO}{}", args[0]));
                d.severity = kp_base::Severity::Note;
                self.diags.push(d);
                String::new()
            }
            "filename" => site.filename.to_string(),
            "lineno" => {
                let upto = (site.span.start as usize).min(site.src.len());
                (site.src.as_bytes()[..upto]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1)
                .to_string()
            }
            _ => self.shell(&args[0], site),
        })
    }

    fn shell(&mut self, command: &str, site: &Site<'_>) -> String {
        let id = ShellCallId(self.shell_calls.len() as u32);
        let inputs = markers(command).collect();
        match self.mode {
            ShellMode::Record => {
                self.shell_calls.push(ShellCall {
                    command: command.to_string(),
                    span: site.span,
                    output: None,
                    inputs,
                });
                format!("{MARK_OPEN}{}{MARK_CLOSE}", id.0)
            }
            ShellMode::Run => {
                let output = crate::probes::run(command, &self.env, &self.toolchain);
                self.shell_calls.push(ShellCall {
                    command: command.to_string(),
                    span: site.span,
                    output: Some(output.clone()),
                    inputs,
                });
                output
            }
        }
    }

    fn env_expand(&mut self, name: &str, site: &Site<'_>) -> Option<String> {
        if name.is_empty() {
            return None;
        }
        let value = self.env.get(name).cloned();
        if self.env_seen.insert(name.to_string()) {
            self.env_reads.push(EnvRead {
                name: name.to_string(),
                value: value.clone(),
                span: site.span,
            });
        }
        value
    }
}

/// `do_shell()`: `popen(cmd)`, at most 4095 bytes, trailing newlines dropped, other
/// newlines made spaces. The command inherits this process's environment overlaid with the
/// parse's environment, as conf inherits make's exports. It runs in the temporary directory:
/// conf runs in the (writable) object tree, and `cc-option` makes a scratch directory in the
/// current one, which a read-only working directory would turn into a wrong "n".
pub(crate) fn run_shell(command: &str, env: &HashMap<String, String>) -> String {
    use std::io::Read as _;
    let child = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .envs(env)
        .current_dir(std::env::temp_dir())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return String::new();
    };
    let mut buf = Vec::new();
    if let Some(out) = child.stdout.as_mut() {
        let _ = out.take(4096).read_to_end(&mut buf);
    }
    // popen's pclose() waits; drain the rest so the child is not killed by SIGPIPE earlier
    // than it would be under the kernel's tool.
    if let Some(mut out) = child.stdout.take() {
        let _ = std::io::copy(&mut out, &mut std::io::sink());
    }
    let _ = child.wait();
    if buf.len() == 4096 {
        buf.pop();
    }
    while buf.last() == Some(&b'\n') {
        buf.pop();
    }
    for b in &mut buf {
        if *b == b'\n' {
            *b = b' ';
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// The recorded calls whose markers occur in `s`.
pub(crate) fn markers(s: &str) -> impl Iterator<Item = ShellCallId> + '_ {
    s.split(MARK_OPEN).skip(1).filter_map(|rest| {
        let (num, _) = rest.split_once(MARK_CLOSE)?;
        num.parse().ok().map(ShellCallId)
    })
}

/// Whether `s` holds a marker. Markers are not ASCII and Kconfig text nearly always is: the
/// word-at-a-time ASCII test settles most of the ~200,000 calls of a parse without the
/// character search.
pub(crate) fn has_marker(s: &str) -> bool {
    !s.is_ascii() && s.contains(MARK_OPEN)
}

/// `s` with every marker replaced by `$(shell,COMMAND)`, commands rendered the same way.
pub(crate) fn render_markers(s: &str, calls: &[ShellCall]) -> String {
    render_depth(s, calls, 0)
}

fn render_depth(s: &str, calls: &[ShellCall], depth: u32) -> String {
    if !has_marker(s) {
        return s.to_string();
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(MARK_OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + MARK_OPEN.len_utf8()..];
        match after.split_once(MARK_CLOSE) {
            Some((num, tail)) => {
                let call = num.parse::<usize>().ok().and_then(|n| calls.get(n));
                match call {
                    // Commands only contain markers of earlier calls, so this terminates;
                    // the depth bound is for hand-made input.
                    Some(c) if depth < 16 => {
                        out.push_str("$(shell,");
                        out.push_str(&render_depth(&c.command, calls, depth + 1));
                        out.push(')');
                    }
                    _ => out.push_str("$(shell,...)"),
                }
                rest = tail;
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use kp_base::FileId;

    fn site() -> Site<'static> {
        Site {
            span: Span::new(FileId(0), 0, 0),
            filename: "Kconfig",
            src: "a\nb\n",
        }
    }

    fn pp() -> Preprocessor {
        Preprocessor::new(
            ShellMode::Record,
            &[("ARCH".to_string(), "x86".to_string())],
            &[],
        )
    }

    #[test]
    fn flavors() {
        let mut p = pp();
        let s = site();
        p.assign("A", "1", AssignOp::Simple, &s);
        p.assign("B", "$(A)", AssignOp::Recursive, &s);
        p.assign("C", "$(A)", AssignOp::Simple, &s);
        p.assign("A", "2", AssignOp::Simple, &s);
        assert_eq!(p.expand_top("$(B) $(C)", &s), "2 1");
        p.assign("C", "x", AssignOp::Append, &s);
        p.assign("D", "$(A)", AssignOp::Append, &s);
        p.assign("A", "3", AssignOp::Simple, &s);
        assert_eq!(p.expand_top("$(C)|$(D)", &s), "1 x|3");
    }

    #[test]
    fn functions_arguments_and_env() {
        let mut p = pp();
        let s = site();
        p.assign("f", "<$(1),$(2)>", AssignOp::Recursive, &s);
        assert_eq!(p.expand_top("$(f,a,$(ARCH))", &s), "<a,x86>");
        assert_eq!(p.expand_top("$ $x ${ARCH} $(UNSET)", &s), "$ $x ${ARCH} ");
        assert_eq!(p.expand_top("$(filename):$(lineno)", &s), "Kconfig:1");
        assert_eq!(p.env_reads.len(), 2);
        assert!(p.diags.is_empty());
    }

    #[test]
    fn self_reference_is_an_error_not_a_hang() {
        let mut p = pp();
        let s = site();
        p.assign("X", "$(X)", AssignOp::Recursive, &s);
        assert_eq!(p.expand_top("$(X)", &s), "");
        assert_eq!(p.diags[0].code, "KP0303");
        p.assign("f", "$(f,$(1))", AssignOp::Recursive, &s);
        assert_eq!(p.expand_top("$(f,a)", &s), "");
        assert_eq!(p.diags[1].code, "KP0305");
    }

    #[test]
    fn shell_is_recorded_as_markers() {
        let mut p = pp();
        let s = site();
        let a = p.expand_top("$(shell,echo hi)", &s);
        let b = p.expand_top("$(shell,test $(shell,echo hi) = x)", &s);
        assert_eq!(p.shell_calls.len(), 3);
        assert_eq!(markers(&a).collect::<Vec<_>>(), vec![ShellCallId(0)]);
        assert_eq!(p.shell_calls[2].inputs, vec![ShellCallId(1)]);
        assert_eq!(
            render_markers(&b, &p.shell_calls),
            "$(shell,test $(shell,echo hi) = x)"
        );
    }

    #[test]
    fn shell_runs_like_popen() {
        let mut p = Preprocessor::new(ShellMode::Run, &[("K".to_string(), "v".to_string())], &[]);
        let s = site();
        assert_eq!(
            p.expand_top("$(shell,printf 'a\\nb\\n\\n'; echo $K)", &s),
            "a b  v",
            "inner newlines become spaces, only trailing ones are dropped"
        );
    }

    #[test]
    fn token_expansion_stops_at_separators() {
        let mut p = pp();
        let s = site();
        p.assign("V", "a b", AssignOp::Simple, &s);
        assert_eq!(p.expand_token("x$(V)y z", &s), ("xa by".to_string(), 6));
    }
}
