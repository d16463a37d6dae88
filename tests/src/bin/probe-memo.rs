//! A memoizing front for the compiler the kernel's Kconfig probes (`$(shell,$(CC) ...)`), for
//! the long conformance sweep only: `make CC="probe-memo gcc" ...`.
//!
//! conf spends ~90% of an `olddefconfig` in ~100 gcc probes whose answers are the same for
//! every seed of an arch. The first call with a given key runs the real program and stores its
//! stdout, stderr and exit status; later calls replay them byte for byte. The key holds the
//! program's resolved path, size and mtime, every argument, the working directory, stdin when
//! an argument is `-`, and the contents of every argument that names a regular file. Calls
//! that write a file (`-o` other than `/dev/null`, dependency files) are never memoized.
//!
//! usage: probe-memo PROGRAM [ARGS...]   (cache: $KPOSSIBLE_CACHE/probe-memo)

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use sha2::{Digest, Sha256};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(program) = args.first() else {
        eprintln!("usage: probe-memo PROGRAM [ARGS...]");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    if !memoizable(rest) {
        return passthrough(program, rest);
    }
    let Some(resolved) = which(program) else {
        return passthrough(program, rest);
    };
    let mut stdin = Vec::new();
    let reads_stdin = rest.iter().any(|a| a == "-");
    if reads_stdin && std::io::stdin().read_to_end(&mut stdin).is_err() {
        return passthrough(program, rest);
    }
    let mut h = Sha256::new();
    let meta = std::fs::metadata(&resolved).ok();
    h.update(format!(
        "{}\0{:?}\0{:?}\0",
        resolved.display(),
        meta.as_ref().map(std::fs::Metadata::len),
        meta.as_ref().and_then(|m| m.modified().ok())
    ));
    let cwd = std::env::current_dir().unwrap_or_default();
    h.update(format!("{}\0", cwd.display()));
    for a in rest {
        if scratch(a) {
            h.update(b".tmp_PID\0");
            continue;
        }
        h.update(a.as_bytes());
        h.update(b"\0");
        let p = cwd.join(a);
        if a != "/dev/null"
            && p.is_file()
            && let Ok(bytes) = std::fs::read(&p)
        {
            h.update(Sha256::digest(&bytes));
        }
    }
    h.update(&stdin);
    let key: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let dir = cache_dir();
    let entry = dir.join(&key);
    if let Some(code) = replay(&entry) {
        return code;
    }
    // Run it by the name it was given: gcc prints its argv[0] in `--version`.
    let child = Command::new(program)
        .args(rest)
        .stdin(if reads_stdin {
            Stdio::piped()
        } else {
            Stdio::inherit()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        return passthrough(program, rest);
    };
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(&stdin);
    }
    let Ok(out) = child.wait_with_output() else {
        return ExitCode::from(1);
    };
    let status = out.status.code().unwrap_or(1);
    let _ = std::fs::create_dir_all(&dir);
    let tmp = dir.join(format!("{key}.{}", std::process::id()));
    let mut record = format!("{status}\n{}\n", out.stdout.len()).into_bytes();
    record.extend_from_slice(&out.stdout);
    record.extend_from_slice(&out.stderr);
    if std::fs::write(&tmp, &record).is_ok() {
        let _ = std::fs::rename(&tmp, &entry);
    }
    emit(&out.stdout, &out.stderr, status)
}

/// `scripts/Kconfig.include: cc-option` compiles to `.tmp_$$/tmp.o` in a directory its shell
/// removes on exit: nothing reads that file, and the PID in its name must not split the key.
fn scratch(path: &str) -> bool {
    path.strip_prefix(".tmp_")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(pid, _)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether the call only answers on stdout/stderr/status (no file written but `/dev/null`).
fn memoizable(args: &[String]) -> bool {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            // The next argument is consumed here whatever it is: no guard, so that `-o
            // /dev/null` does not fall through to the `-o...` arm below.
            "-o" => {
                let to_null = it.next().is_some_and(|o| o == "/dev/null" || scratch(o));
                if !to_null {
                    return false;
                }
            }
            "-MD" | "-MMD" | "-MF" | "-save-temps" => return false,
            _ if a.starts_with("-o") && a != "-o/dev/null" => return false,
            _ if a.starts_with("-Wp,-MD") || a.starts_with("-Wp,-MMD") => return false,
            _ => {}
        }
    }
    true
}

fn replay(entry: &Path) -> Option<ExitCode> {
    let bytes = std::fs::read(entry).ok()?;
    let mut lines = bytes.splitn(3, |&b| b == b'\n');
    let status: i32 = std::str::from_utf8(lines.next()?).ok()?.parse().ok()?;
    let out_len: usize = std::str::from_utf8(lines.next()?).ok()?.parse().ok()?;
    let body = lines.next()?;
    let (out, err) = body.split_at_checked(out_len)?;
    Some(emit(out, err, status))
}

fn emit(out: &[u8], err: &[u8], status: i32) -> ExitCode {
    let _ = std::io::stdout().write_all(out);
    let _ = std::io::stderr().write_all(err);
    let _ = std::io::stdout().flush();
    ExitCode::from(u8::try_from(status).unwrap_or(1))
}

fn passthrough(program: &str, args: &[String]) -> ExitCode {
    match Command::new(program).args(args).status() {
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("probe-memo: {program}: {e}");
            ExitCode::from(127)
        }
    }
}

fn which(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return std::fs::canonicalize(program).ok();
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::canonicalize(p).ok())
}

fn cache_dir() -> PathBuf {
    ktree::cache_dir().join("probe-memo")
}

#[cfg(test)]
mod tests {
    use super::memoizable;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn only_calls_that_write_no_file_are_memoized() {
        // What the Kconfig probes run (scripts/Kconfig.include: cc-option and friends).
        assert!(memoizable(&args(
            "-Werror -mfoo -c -x c /dev/null -o /dev/null"
        )));
        assert!(memoizable(&args("-c -x c /dev/null -o/dev/null")));
        assert!(memoizable(&args("-c x.c -o .tmp_1234/out.o")));
        assert!(!memoizable(&args("-c x.c -o x.o")));
        assert!(!memoizable(&args("-c x.c -ox.o")));
        assert!(!memoizable(&args("-c x.c -o")));
        assert!(!memoizable(&args("-MD -c x.c -o /dev/null")));
        assert!(!memoizable(&args("-Wp,-MMD,x.d -c x.c -o /dev/null")));
        assert!(!memoizable(&args("-c x.c -o .tmp_x/out.o")));
    }
}
