//! The model as one JSON document (`kpossible parse --dump json`): expressions printed in
//! Kconfig syntax, spans as `path:line:col`, menus and symbols by index.
//!
//! The layout is for people and scripts reading a dump; the solver uses the [`Model`] itself.

use serde_json::{Value, json};

use kp_base::{Operand, Span};

use crate::model::*;

/// The whole model as JSON.
pub fn to_json(m: &Model) -> Value {
    let loc = |s: Span| m.sources.location(s);
    let cond = |c: &Cond| json!({"expr": m.exprs.display(c.expr), "at": loc(c.span)});
    let opt_cond = |c: &Option<Cond>| c.as_ref().map(cond);
    let operand = |o: &Operand| match o {
        Operand::Symbol(n) => json!({"symbol": m.exprs.name_text(*n)}),
        Operand::Const(n) => json!({"const": m.exprs.name_text(*n)}),
    };
    let menus: Vec<Value> = m
        .menus
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (kind, symbol) = match n.kind {
                MenuKind::Root => ("root", None),
                MenuKind::Config(s) => ("config", Some(m.symbol_name(s))),
                MenuKind::MenuConfig(s) => ("menuconfig", Some(m.symbol_name(s))),
                MenuKind::Choice => ("choice", None),
                MenuKind::Menu => ("menu", None),
                MenuKind::If => ("if", None),
                MenuKind::Comment => ("comment", None),
            };
            let props: Vec<Value> = n
                .properties
                .iter()
                .map(|p| {
                    let mut v = match &p.kind {
                        PropertyKind::Default { value, operand: op, opaque } => json!({
                            "default": m.exprs.display(*value),
                            "operand": op.as_ref().map(operand),
                            "opaque_shell_calls": opaque.iter().map(|c| c.0).collect::<Vec<_>>(),
                        }),
                        PropertyKind::Select(s) => json!({"select": m.exprs.name_text(*s)}),
                        PropertyKind::Imply(s) => json!({"imply": m.exprs.name_text(*s)}),
                        PropertyKind::Range { low, high, opaque } => json!({
                            "range": [operand(low), operand(high)],
                            "opaque_shell_calls": opaque.iter().map(|c| c.0).collect::<Vec<_>>(),
                        }),
                    };
                    v["if"] = opt_cond(&p.cond).unwrap_or(Value::Null);
                    v["at"] = json!(loc(p.span));
                    v
                })
                .collect();
            json!({
                "id": i,
                "kind": kind,
                "symbol": symbol,
                "parent": n.parent.map(|p| p.0),
                "children": n.children.iter().map(|c| c.0).collect::<Vec<_>>(),
                "at": loc(n.span),
                "end": n.end_span.map(loc),
                "type": n.ty.map(|(t, _)| t.as_str()),
                "prompt": n.prompt.as_ref().map(|p| json!({"text": p.text, "if": opt_cond(&p.cond), "at": loc(p.span)})),
                "depends_on": n.depends.iter().map(cond).collect::<Vec<_>>(),
                "visible_if": n.visible_if.iter().map(cond).collect::<Vec<_>>(),
                "properties": props,
                "modules": n.modules.is_some(),
                "transitional": n.transitional.is_some(),
                "allnoconfig_y": n.allnoconfig_y.is_some(),
                "defconfig_list": n.defconfig_list.is_some(),
                "help": m.help_text(MenuId(i as u32)),
                "choice": n.choice.as_ref().map(|c| json!({
                    "name": c.name.map(|x| m.exprs.name_text(x)),
                    "optional": c.optional.is_some(),
                    "members": c.members.iter().map(|&s| m.symbol_name(s)).collect::<Vec<_>>(),
                })),
            })
        })
        .collect();
    let symbols: Vec<Value> = m
        .symbols
        .iter()
        .map(|s| {
            json!({
                "name": m.exprs.name_text(s.name),
                "type": s.ty.map(|t| t.as_str()),
                "definitions": s.definitions.iter().map(|d| d.0).collect::<Vec<_>>(),
                "choices": s.choices.iter().map(|d| d.0).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "dialect": format!("{:?}", m.dialect.choices),
        "stats": m.stats(),
        "files": m.files.iter().map(|f| json!({
            "path": m.sources.path(f.file).display().to_string(),
            "sourced_from": f.sourced_from.map(loc),
        })).collect::<Vec<_>>(),
        "modules": m.modules.map(|s| m.symbol_name(s)),
        "symbols": symbols,
        "menus": menus,
        "shell_calls": m.shell_calls.iter().map(|c| json!({
            "command": c.command,
            "at": loc(c.span),
            "output": c.output,
            "inputs": c.inputs.iter().map(|i| i.0).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "unknown_facts": m.exprs.unknowns().iter().map(|u| json!({
            "text": u.text,
            "at": u.span.map(loc),
        })).collect::<Vec<_>>(),
        "env": m.env_reads.iter().map(|e| json!({"name": e.name, "value": e.value, "at": loc(e.span)})).collect::<Vec<_>>(),
        "diagnostics": m.diagnostics.iter().map(|d| json!({
            "code": d.code,
            "severity": d.severity,
            "message": d.message,
            "at": loc(d.primary),
        })).collect::<Vec<_>>(),
    })
}

/// The menu tree as indented text, one line per entry and attribute, each with its
/// `path:line:col`; for snapshot tests and for reading.
pub fn to_text(m: &Model) -> String {
    let mut out = String::new();
    write_node(m, Model::ROOT, 0, &mut out);
    for (i, c) in m.shell_calls.iter().enumerate() {
        out.push_str(&format!(
            "shell #{i} @{}: {}",
            m.sources.location(c.span),
            c.command
        ));
        if let Some(o) = &c.output {
            out.push_str(&format!(" => {o:?}"));
        }
        out.push('\n');
    }
    out
}

fn write_node(m: &Model, id: MenuId, depth: usize, out: &mut String) {
    use std::fmt::Write as _;
    let n = m.menu(id);
    let pad = "  ".repeat(depth);
    let at = m.sources.location(n.span);
    let cond = |c: &Cond| m.exprs.display(c.expr);
    let opt_if = |c: &Option<Cond>| {
        c.as_ref()
            .map_or(String::new(), |c| format!(" if {}", cond(c)))
    };
    let head = match n.kind {
        MenuKind::Root => "root".to_string(),
        MenuKind::Config(s) => format!("config {}", m.symbol_name(s)),
        MenuKind::MenuConfig(s) => format!("menuconfig {}", m.symbol_name(s)),
        MenuKind::Choice => {
            let name = n
                .choice
                .as_ref()
                .and_then(|c| c.name)
                .map_or(String::new(), |x| format!(" {}", m.exprs.name_text(x)));
            format!("choice{name}")
        }
        MenuKind::Menu => "menu".to_string(),
        MenuKind::If => "if".to_string(),
        MenuKind::Comment => "comment".to_string(),
    };
    let _ = writeln!(out, "{pad}{head} @{at}");
    let pad = "  ".repeat(depth + 1);
    if let Some((t, _)) = n.ty {
        let _ = writeln!(out, "{pad}type {}", t.as_str());
    }
    if let Some(p) = &n.prompt {
        let _ = writeln!(out, "{pad}prompt {:?}{}", p.text, opt_if(&p.cond));
    }
    for d in &n.depends {
        let _ = writeln!(out, "{pad}depends on {}", cond(d));
    }
    for v in &n.visible_if {
        let _ = writeln!(out, "{pad}visible if {}", cond(v));
    }
    for p in &n.properties {
        let body = match &p.kind {
            PropertyKind::Default {
                value,
                operand,
                opaque,
            } => {
                let op = match operand {
                    Some(Operand::Symbol(x)) => format!(" [symbol {}]", m.exprs.name_text(*x)),
                    Some(Operand::Const(x)) => format!(" [const {:?}]", m.exprs.name_text(*x)),
                    None => String::new(),
                };
                let calls = if opaque.is_empty() {
                    String::new()
                } else {
                    format!(
                        " [shell {:?}]",
                        opaque.iter().map(|c| c.0).collect::<Vec<_>>()
                    )
                };
                format!("default {}{op}{calls}", m.exprs.display(*value))
            }
            PropertyKind::Select(s) => format!("select {}", m.exprs.name_text(*s)),
            PropertyKind::Imply(s) => format!("imply {}", m.exprs.name_text(*s)),
            PropertyKind::Range { low, high, .. } => {
                let o = |x: &Operand| match x {
                    Operand::Symbol(n) | Operand::Const(n) => m.exprs.name_text(*n).to_string(),
                };
                format!("range {} {}", o(low), o(high))
            }
        };
        let _ = writeln!(out, "{pad}{body}{}", opt_if(&p.cond));
    }
    if n.modules.is_some() {
        let _ = writeln!(out, "{pad}modules");
    }
    for (flag, word) in [
        (n.transitional, "transitional"),
        (n.allnoconfig_y, "option allnoconfig_y"),
        (n.defconfig_list, "option defconfig_list"),
    ] {
        if flag.is_some() {
            let _ = writeln!(out, "{pad}{word}");
        }
    }
    if let Some(text) = m.help_text(id) {
        let _ = writeln!(out, "{pad}help {text:?}");
    }
    if let Some(c) = &n.choice {
        if c.optional.is_some() {
            let _ = writeln!(out, "{pad}optional");
        }
        let members: Vec<&str> = c.members.iter().map(|&s| m.symbol_name(s)).collect();
        let _ = writeln!(out, "{pad}members {members:?}");
    }
    for &c in &n.children {
        write_node(m, c, depth + 1, out);
    }
}
