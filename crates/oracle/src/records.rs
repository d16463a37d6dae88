//! Turns the walk's per-directory records (`make/walk.mk`) into the lists a real build would
//! produce: built-in objects (vmlinux.a members), lib.a objects, modules in `modules.order`
//! order, and each module's member objects.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::Path;

use crate::{Error, Result};

/// A loadable module and the objects linked into it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Module {
    /// The module's path as `modules.order` spells it in 6.1: `drivers/net/dummy.ko`.
    pub name: String,
    /// Its member objects: the object itself for a single-object module, else the composite's
    /// `-objs`/`-y`/`-m` members, with `dir/../` resolved.
    pub objects: Vec<String>,
}

/// What real make computes for one configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KbuildLists {
    /// Every directory the walk visited, sorted.
    pub dirs: Vec<String>,
    /// Objects archived into some `built-in.a` reachable from vmlinux (duplicates removed,
    /// first kept, as make's `$^` does), in directory order.
    pub builtin: Vec<String>,
    /// Objects of `lib.a` archives in directories entered as built-in.
    pub lib: Vec<String>,
    /// Modules in `modules.order` order.
    pub modules: Vec<Module>,
    /// Whether `olddefconfig` changed the configuration handed in.
    pub config_changed: bool,
}

impl KbuildLists {
    /// The module containing `object`, if any (the first in modules.order).
    pub fn module_of(&self, object: &str) -> Option<&Module> {
        self.modules
            .iter()
            .find(|m| m.objects.iter().any(|o| o == object))
    }

    /// Whether `object` is linked into vmlinux through some built-in.a.
    pub fn is_builtin(&self, object: &str) -> bool {
        self.builtin.iter().any(|o| o == object)
    }
}

struct Record {
    need_builtin: bool,
    real_obj_y: Vec<String>,
    lib_y: Vec<String>,
    obj_m: Vec<String>,
    multi_m: Vec<(String, Vec<String>)>,
}

pub(crate) fn read_dir(dir: &Path) -> Result<KbuildLists> {
    let mut recs: BTreeMap<String, Record> = BTreeMap::new();
    let entries = fs::read_dir(dir).map_err(|e| Error::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|e| Error::Io {
                path: dir.to_path_buf(),
                source: e,
            })?
            .path();
        if path.extension().is_none_or(|e| e != "rec") {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
        let fields: Vec<&str> = text.trim_end_matches('\n').split('|').collect();
        let [obj, nb, _nm, ry, _rm, liby, _subs, objm, _my, mm] = fields[..] else {
            return Err(Error::Record {
                path,
                message: format!("expected 10 fields, found {}", fields.len()),
            });
        };
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let prefix = if obj == "." {
            String::new()
        } else {
            format!("{obj}/")
        };
        let multi_m = mm
            .split_whitespace()
            .filter_map(|e| e.split_once('='))
            .map(|(name, members)| {
                let full = if obj == "." || name.starts_with(&prefix) {
                    name.to_string()
                } else {
                    format!("{prefix}{name}")
                };
                let members = members
                    .split(',')
                    .filter(|m| !m.is_empty())
                    .map(|m| normalize(&format!("{prefix}{m}")))
                    .collect();
                (normalize(&full), members)
            })
            .collect();
        recs.insert(
            obj.to_string(),
            Record {
                need_builtin: nb == "1",
                real_obj_y: words(ry),
                lib_y: words(liby),
                obj_m: words(objm),
                multi_m,
            },
        );
    }
    let mut seen = HashSet::new();
    let builtin = recs
        .values()
        .filter(|r| r.need_builtin)
        .flat_map(|r| r.real_obj_y.iter())
        .filter(|o| o.ends_with(".o"))
        .map(|o| normalize(o))
        .filter(|o| seen.insert(o.clone()))
        .collect();
    let lib = recs
        .values()
        .filter(|r| r.need_builtin)
        .flat_map(|r| r.lib_y.iter().map(|o| normalize(o)))
        .collect();
    let composites: BTreeMap<&str, &Vec<String>> = recs
        .values()
        .flat_map(|r| r.multi_m.iter().map(|(n, m)| (n.as_str(), m)))
        .collect();
    let mut order = Vec::new();
    collect_order(&recs, ".", &mut HashSet::new(), &mut order);
    let modules = order
        .into_iter()
        .map(|o| {
            let objects = composites
                .get(o.as_str())
                .map_or_else(|| vec![o.clone()], |m| dedup(m));
            Module {
                name: format!("{}.ko", o.strip_suffix(".o").unwrap_or(&o)),
                objects,
            }
        })
        .collect();
    Ok(KbuildLists {
        dirs: recs.keys().cloned().collect(),
        builtin,
        lib,
        modules,
        config_changed: false,
    })
}

/// modules.order: a directory's obj-m in order, where `sub/modules.order` stands for the
/// subdirectory's own list (`scripts/Makefile.build: cmd_gen_order`).
fn collect_order(
    recs: &BTreeMap<String, Record>,
    dir: &str,
    seen: &mut HashSet<String>,
    out: &mut Vec<String>,
) {
    let Some(rec) = recs.get(dir) else { return };
    for m in &rec.obj_m {
        if let Some(sub) = m.strip_suffix("/modules.order") {
            collect_order(recs, sub, seen, out);
        } else {
            let m = normalize(m);
            if seen.insert(m.clone()) {
                out.push(m);
            }
        }
    }
}

fn dedup(v: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    v.iter()
        .filter(|x| seen.insert(x.as_str()))
        .cloned()
        .collect()
}

/// Resolves `.` and `..` components textually (`amdgpu/../amdkfd/x.o` is `amdkfd/x.o`).
pub(crate) fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(c),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_parent_dirs() {
        assert_eq!(
            normalize("drivers/gpu/drm/amd/amdgpu/../amdkfd/kfd_module.o"),
            "drivers/gpu/drm/amd/amdkfd/kfd_module.o"
        );
        assert_eq!(normalize("./a//b.o"), "a/b.o");
    }

    #[test]
    fn records_become_lists() {
        let dir = std::env::temp_dir().join(format!("kp-oracle-rec-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("d@..rec"),
            ".|1|1|init/built-in.a|||init/ drivers/|init/modules.order drivers/modules.order||\n",
        )
        .unwrap();
        fs::write(
            dir.join("d@init.rec"),
            "init|1|1|init/main.o init/main.o||||||\n",
        )
        .unwrap();
        fs::write(
            dir.join("d@drivers.rec"),
            "drivers|1|1|drivers/a.o|drivers/dummy.o drivers/x/one.o drivers/two.o|drivers/lib1.o||drivers/dummy.o drivers/e1000e.o||drivers/e1000e.o=x/one.o,two.o\n",
        )
        .unwrap();
        let l = read_dir(&dir).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(l.builtin, vec!["drivers/a.o", "init/main.o"]);
        assert_eq!(l.lib, vec!["drivers/lib1.o"]);
        assert_eq!(
            l.modules[0],
            Module {
                name: "drivers/dummy.ko".into(),
                objects: vec!["drivers/dummy.o".into()]
            }
        );
        assert_eq!(
            l.modules[1].objects,
            vec!["drivers/x/one.o", "drivers/two.o"]
        );
        assert_eq!(
            l.module_of("drivers/two.o").map(|m| m.name.as_str()),
            Some("drivers/e1000e.ko")
        );
    }
}
