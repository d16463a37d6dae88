"""kmax's answers next to kpossible's, object by object (run by scripts/bench in its venv).

`agree`: for every compilation unit of the scope, the answer a kmax user gets to "can this
object be a module on ARCH?": klocalizer's config search, done in one process for all units
(kclause's Kconfig formulas for ARCH, kmax's Kbuild presence conditions of the unit and of each
directory above it, klocalizer's arch constraints, CONFIG_MODULES on, as `klocalizer -a ARCH
-D CONFIG_MODULES --modules --include UNIT` does): SAT means klocalizer hands out a config with
tristates at m, UNSAT means it says the unit can never be built. That answer is set beside
kpossible's manifest verdict. Where they differ, the configurations the real tools must settle
are written out:
  - kpossible yes, klocalizer UNSAT: kpossible's witness (scripts/bench writes it with
    `could-be-module --witness`), walked by real conf + make;
  - kpossible no, klocalizer SAT: klocalizer's own `--modules` config for the unit (units
    packed greedily into as few configs as possible), walked by real conf + make: the unit in a
    module there means kpossible was wrong.

`render`: the markdown page from the JSON results scripts/bench collected.
"""

import argparse
import json
import os
import pickle
import re
import sys
import time


def load_kmax(paths):
    formulas = {}
    for p in paths:
        with open(p, "rb") as f:
            formulas.update(pickle.load(f))
    return formulas


def in_scope(path, scope):
    return any(path.startswith(d.rstrip("/") + "/") for d in scope)


def agree(a):
    import z3
    from kmax.arch import Arch
    from kmax.common import get_kmax_constraints
    from kmax.klocalizer import Klocalizer

    t0 = time.time()
    formulas = load_kmax(a.kmax)
    # kmax keys may spell a unit through `../`; klocalizer resolves them the same way.
    units = {}
    for key in formulas:
        if not key.endswith(".o") or "$(" in key:
            continue
        unit = os.path.normpath(key)
        if in_scope(unit, a.scope):
            units.setdefault(unit, []).append(key)

    manifest = json.load(open(a.manifest))
    ours = {}
    for doc in manifest["objects"]:
        v = doc["arches"].get(a.our_arch)
        if v is None:
            continue
        ours[doc["object"]] = {
            "verdict": v["verdict"],
            "witness": v.get("witness"),
            "modules": v.get("modules"),
            "reason": v.get("reason") or v.get("why"),
        }

    kclause_dir = a.kclause_dir
    arch = Arch(a.arch, linux_ksrc=a.ksrc, arch_dir=kclause_dir,
                kclause_args=["--disable-tristate-support"])
    kconfig_types = arch.get_kconfig_types()
    base = z3.parse_smt2_string(arch.get_kclause_composite())
    solver = z3.Solver()
    solver.add(base)
    solver.add(arch.get_arch_specific_constraints())
    solver.add(z3.Bool("CONFIG_MODULES"))
    t_load = time.time() - t0

    # klocalizer: the top Makefile (not Kbuild, so outside kmax) guards net/ and samples/.
    top = {"net": z3.Bool("CONFIG_NET"), "samples": z3.Bool("CONFIG_SAMPLES")}

    def constraints(unit):
        cs = []
        for key in units[unit]:
            c = get_kmax_constraints(formulas, key)
            if c is not None:
                cs.append(z3.And(c) if c else z3.BoolVal(True))
        if not cs:
            return None
        out = [z3.Or(cs)]
        if unit.split("/")[0] in top:
            out.append(top[unit.split("/")[0]])
        # klocalizer: options this arch does not define are off.
        for c in list(out):
            for v in z3.z3util.get_vars(c):
                if str(v).startswith("CONFIG_") and str(v) not in kconfig_types:
                    out.append(z3.Not(v))
        if unit.startswith("arch/") and a.arch not in Arch.get_archs_from_subdir(unit):
            out.append(z3.BoolVal(False))
        return out

    # Each unit's constraints sit behind an indicator literal and are checked under it as an
    # assumption: the same answer as klocalizer's fresh solver per unit, without re-solving
    # the Kconfig part from scratch each time.
    t1 = time.time()
    kmax_answer = {}
    indicator = {}
    for unit in sorted(units):
        cs = constraints(unit)
        if cs is None:
            kmax_answer[unit] = "none"
            continue
        ind = z3.Bool("__kpossible_bench_unit_%d" % len(indicator))
        indicator[unit] = ind
        solver.add(z3.Implies(ind, z3.And(cs)))
        r = solver.check(ind)
        kmax_answer[unit] = "sat" if r == z3.sat else "unsat" if r == z3.unsat else "unknown"
    t_check = time.time() - t1

    rows = []
    for o in sorted(set(units) | {o for o in ours if in_scope(o, a.scope)}):
        k = kmax_answer.get(o, "absent")
        u = ours.get(o, {"verdict": "absent"})
        v = u["verdict"]
        if v == "absent":
            cat = "only-kmax"
        elif k in ("absent", "none"):
            cat = "only-ours"
        elif v == "unknown":
            cat = "ours-unknown"
        elif v == "yes" and k == "sat":
            cat = "agree-yes"
        elif v == "no" and k == "unsat":
            cat = "agree-no"
        elif v == "yes" and k == "unsat":
            cat = "ours-yes-kmax-no"
        elif v == "no" and k == "sat":
            cat = "ours-no-kmax-yes"
        else:
            cat = "kmax-unknown"
        row = {"object": o, "ours": v, "kmax": k, "category": cat,
               "witness": u.get("witness"), "reason": u.get("reason")}
        if cat == "ours-yes-kmax-no":
            # kmax's own condition for the unit, to show what klocalizer found unsatisfiable.
            row["kmax_condition"] = " ".join(str(z3.simplify(z3.And(constraints(o)))).split())
        rows.append(row)

    # kmax lists a composite object (`foo.o` with `foo-y := a.o b.o`) as a unit of its own;
    # kpossible lists its members. Which of kmax's extra units are composites, from the
    # directory's own Kbuild file.
    composites = []
    for r in rows:
        if r["category"] != "only-kmax":
            continue
        d, name = os.path.split(r["object"])
        stem = re.escape(name[:-2])
        for f in ("Kbuild", "Makefile"):
            try:
                text = open(os.path.join(a.ksrc, d, f)).read()
            except OSError:
                continue
            if re.search(r"^\s*%s-(y|m|objs|\$\()" % stem, text, re.M):
                composites.append(r["object"])
                break

    # klocalizer --modules configs for the units kpossible calls never-a-module, packed.
    os.makedirs(a.configs, exist_ok=True)
    todo = [r["object"] for r in rows if r["category"] == "ours-no-kmax-yes"]
    packs = []
    t2 = time.time()
    while todo and len(packs) < a.max_configs:
        taken, rest = [], []
        for o in todo:
            if solver.check(*[indicator[x] for x in taken], indicator[o]) == z3.sat:
                taken.append(o)
            else:
                rest.append(o)
        if not taken:
            break
        solver.check(*[indicator[x] for x in taken])
        model = solver.model()
        text = Klocalizer.get_config_from_model(model, arch, set_tristate_m=True,
                                                allow_non_visibles=False)
        path = os.path.join(a.configs, "kmax-%d.config" % len(packs))
        with open(path, "w") as f:
            f.write(text)
        packs.append({"config": path, "objects": taken})
        todo = rest
    t_pack = time.time() - t2

    json.dump({
        "arch": a.arch, "scope": a.scope, "units": len(units),
        "seconds": {"load_kclause": t_load, "checks": t_check, "pack": t_pack},
        "checks": len(indicator), "rows": rows, "packs": packs, "unpacked": todo,
        "composites": composites,
    }, open(a.out, "w"), indent=1)


# ---------------------------------------------------------------------------------------------
# render


def fmt_s(x):
    if x is None:
        return "—"
    return "%.2f s" % x if x < 10 else "%.0f s" % x


def fmt_ms(x):
    return "—" if x is None else "%.0f ms" % (x * 1000)


def fmt_mb(kb):
    return "—" if kb is None else "%.0f MB" % (kb / 1024)


def ratio(a, b):
    if not a or not b:
        return "—"
    r = a / b
    return "%.0fx" % r if r >= 10 else "%.1fx" % r


def fmt_ratio(r):
    return "%.0fx" % r if r >= 10 else "%.1fx" % r


def cpu_ratio(x):
    """conf's CPU over kpossible's: the median of the per-round ratios (the two sides
    alternate round by round), with their range; a ratio of medians for older results."""
    rounds = x.get("ratio_cpu_rounds")
    if not rounds:
        return ratio(x["conf_cpu_s"], x.get("ours_cpu_s") or x["ours_net_s"])
    return fmt_ratio(x["ratio_cpu_median"])


def cpu_range(x):
    rounds = x.get("ratio_cpu_rounds")
    if not rounds:
        return "—"
    return "%s–%s" % (fmt_ratio(min(rounds)), fmt_ratio(max(rounds)))


def render(a):
    r = json.load(open(a.results))
    t = r["timings"]  # name -> {"wall": s, "rss_kb": kb}

    def w(name):
        return t.get(name, {}).get("wall")

    def m(name):
        x = t.get(name, {})
        return x.get("self_rss_kb") or x.get("rss_kb")

    out = []
    p = out.append
    p("# Benchmarks: kpossible side by side with the kernel's own tools, Kconfiglib and kmax")
    p("")
    p("Generated by `scripts/bench` on %s. Tree: Debian linux-source %s. Machine: %s. "
      "Peers: %s. Every number below comes from one run of the script on this machine; the "
      "machine is shared (2 cores, other jobs running), so expect noise of tens of percent. "
      "Peers run one at a time under `nice -n 10`, and so does kpossible. Peak memory is "
      "`/usr/bin/time -v`'s maximum resident set size (for a command that starts others, the "
      "largest process under it), except where a table says otherwise."
      % (r["date"], r["tree"], r["machine"], r["peers"]))
    p("")
    p("Regenerate: `%s` (options: `scripts/bench --help`). The Kconfig measurement alone, "
      "on both defconfigs: `cargo bench -p kpossible-tests --bench kconfig_vs_conf`." % " ".join(
        x for x in ("scripts/bench", r.get("args", "")) if x))
    p("")

    summary_at = len(out)
    summary = []
    p("## Kconfig: parse + olddefconfig")
    p("")
    p("Input: the arch's defconfig as written by `kpossible config defconfig`. "
      "*End to end*: the whole command under `/usr/bin/time`, toolchain probes included "
      "(kpossible: `kpossible config olddefconfig`; conf: `make O=dir olddefconfig` with conf "
      "already built; Kconfiglib: its `olddefconfig` script with the environment the top "
      "Makefile exports). *Peak memory*: the tool's own process (the probes' compiler runs, "
      "bigger than any of them, are left out). *Probes excluded*: conf run by make with each "
      "`$(shell,...)` answered from a recording of its output (an LD_PRELOAD shim replays "
      "popen(): `crates/kconfig-parser/benches/conf_timer.c`; the probes of the recording run "
      "are shown), so that conf does all of its own work (parse, evaluation, reading and "
      "writing the `.config`) and no probe, neither the probes' own time nor what they cost "
      "conf's process (the fork, the caches the compiler evicts); its wall and CPU time, "
      "against kpossible's record-mode parse (no shell run) plus its evaluation of the model, wall "
      "and CPU time (one thread; `CLOCK_THREAD_CPUTIME_ID`); %d rounds, each one run of "
      "kpossible then one of conf, so that both meet the machine in the same state: times are "
      "medians, the CPU ratio is the median of the rounds' ratios. The machine is shared, so "
      "the CPU ratio is the steadier one. *Output*: the symbols the "
      "`.config` sets or unsets, compared with conf's." % r["runs"])
    p("")
    p("| ARCH | tool | end to end | peak memory | parse + evaluate, probes excluded | kpossible faster by | output |")
    p("|---|---|---|---|---|---|---|")
    for k in r["kconfig"]:
        arch = k["arch"]
        p("| %s | kpossible | %s | %s | %s wall, %s CPU | **%s** (wall), **%s** (CPU) | %s |" % (
            arch, fmt_s(w("ours-config-" + arch)), fmt_mb(m("ours-config-" + arch)),
            fmt_s(k["ours_net_s"]), fmt_s(k.get("ours_cpu_s")),
            ratio(k["conf_net_s"], k["ours_net_s"]),
            cpu_ratio(k),
            "identical to conf's" if k["identical"] else "DIFFERS from conf's"))
        p("| %s | conf (`make olddefconfig`) | %s | %s | %s wall, %s CPU (the recording run's %d probes took %s) | | reference |" % (
            arch, fmt_s(w("conf-" + arch)), fmt_mb(m("conf-" + arch)), fmt_s(k["conf_net_s"]),
            fmt_s(k["conf_cpu_s"]), k["conf_probes"], fmt_s(k["conf_probe_s"])))
        summary.append("- Kconfig parse + olddefconfig, probes excluded, %s, on its defconfig: kpossible %s faster than "
                       "conf by wall time, %s by CPU time (target: 10x)." % (
                           arch, ratio(k["conf_net_s"], k["ours_net_s"]), cpu_ratio(k)))
        kc = k.get("kconfiglib", {})
        p("| %s | Kconfiglib %s (patched) | %s | %s | — | %s end to end | %s |" % (
            arch, r.get("kconfiglib_version", ""), fmt_s(w("kconfiglib-" + arch)),
            fmt_mb(m("kconfiglib-" + arch)),
            ratio(w("kconfiglib-" + arch), w("ours-config-" + arch)),
            kc.get("summary", "—")))
    p("")
    rand = [k for k in r["kconfig"] if "randconfig" in k]
    if rand:
        p("Probes excluded, by input: the same measurement on the defconfig input above, on conf's own "
          "`KCONFIG_SEED=1 make randconfig` output (far more symbols set) and, for this host's "
          "architecture, on Debian's own generic kernel configuration; %d rounds each, as above (the "
          "range is that of the rounds' CPU ratios). "
          "conf's cost grows with the symbols set much faster than kpossible's." % r["runs"])
        p("")
        p("| ARCH | input | kpossible CPU | conf CPU | kpossible faster by (CPU) | range over the rounds | wall: kpossible / conf | output |")
        p("|---|---|---|---|---|---|---|---|")
        for k in rand:
            inputs = [("defconfig", k), ("randconfig, KCONFIG_SEED=1", k["randconfig"])]
            if "distro" in k:
                inputs.append((k["distro"]["input"], k["distro"]))
            for name, x in inputs:
                ours_cpu = x.get("ours_cpu_s") or x["ours_net_s"]
                p("| %s | %s | %s | %s | **%s** | %s | %s / %s | %s |" % (
                    k["arch"], name, fmt_ms(ours_cpu), fmt_ms(x["conf_cpu_s"]),
                    cpu_ratio(x), cpu_range(x), fmt_ms(x["ours_net_s"]), fmt_ms(x["conf_net_s"]),
                    "identical to conf's" if x["identical"] else "DIFFERS from conf's"))
            for name, x in inputs[1:]:
                summary.append("- Kconfig parse + olddefconfig, probes excluded, %s, on %s: "
                               "kpossible %s faster than conf by CPU time (target: 10x)." % (
                                   k["arch"], name, cpu_ratio(x)))
        p("")
    p("Kconfiglib: %s" % r.get("kconfiglib_note", ""))
    p("")

    p("## Kbuild: evaluation of one configuration")
    p("")
    kb = r["kbuild"]
    p("Configuration: ARCH=%s defconfig after olddefconfig. kpossible: `kpossible kbuild "
      "--json`. Real make: the oracle's walk (`crates/oracle`: olddefconfig, syncconfig, then "
      "GNU make through every directory's `scripts/Makefile.build`, nothing compiled), in a "
      "fresh cache, conf built before the clock starts." % kb["arch"])
    p("")
    p("| tool | time | peak memory | built-in objects | modules | differences from real make |")
    p("|---|---|---|---|---|---|")
    p("| kpossible | %s | %s | %d | %d | %d built-in, %d lib, %d modules |" % (
        fmt_s(w("ours-kbuild")), fmt_mb(m("ours-kbuild")), kb["builtin"], kb["modules"],
        kb["builtin_diff"], kb["lib_diff"], kb["modules_diff"]))
    p("| real make walk | %s | %s | %d | %d | reference |" % (
        fmt_s(kb["walk_s"]), fmt_mb(m("oracle-walk")), kb["builtin"], kb["modules"]))
    p("")
    p("kpossible is **%s faster** than the real-make walk." % ratio(kb["walk_s"], w("ours-kbuild")))
    p("")

    if "kmax" in r:
        k = r["kmax"]
        ag = k["agree"]
        p("## Possibility analysis against kmax (ARCH=%s)" % k["arch"])
        p("")
        p("Scope: %s (%d Kbuild files below the scope, %d compilation units kmax lists). "
          "kmax %s." % (", ".join("`%s`" % s for s in k["scope"]), k["makefiles"], ag["units"],
                        r.get("kmax_version", "")))
        p("")
        p("| step | time | peak memory |")
        p("|---|---|---|")
        p("| kpossible `manifest --arch %s` (whole arch: every object of the tree, not only the scope) | %s | %s |" % (
            k["our_arch"], fmt_s(w("ours-manifest")), fmt_mb(m("ours-manifest"))))
        p("| kmax `kmaxall` over the scope (+ `kmax` on the %d Makefiles above it) | %s | %s |" % (
            k["ancestors"], fmt_s((w("kmaxall") or 0) + (w("kmax-ancestors") or 0)), fmt_mb(m("kmaxall"))))
        p("| `kextractlinux` + `kclause` (Kconfig formulas of %s) | %s | %s |" % (
            k["arch"], fmt_s((w("kextract") or 0) + (w("kclause") or 0)),
            fmt_mb(max(m("kextract") or 0, m("kclause") or 0))))
        p("| klocalizer's search for every unit of the scope (one z3 process: %d SAT checks after %s loading the formulas) | %s | — |" % (
            ag["checks"], fmt_s(ag["seconds"]["load_kclause"]), fmt_s(ag["seconds"]["checks"])))
        p("| kpossible `could-be-module drivers/net/dummy.o --arch %s` (cold: nothing cached; allmodconfig places it through symbols no toolchain probe reaches, so no probe runs: `solver::quick`) | %s | %s |" % (
            k["our_arch"], fmt_s(w("ours-cbm")), fmt_mb(m("ours-cbm"))))
        p("| the same kpossible query with the toolchain probes' results cached from earlier runs | %s | %s |" % (
            fmt_s(w("ours-cbm-probes-cached")), fmt_mb(m("ours-cbm-probes-cached"))))
        if w("ours-cbm-witness"):
            p("| the same kpossible query, cold, writing the witness `.config` (`--witness`: every toolchain probe runs) | %s | %s |" % (
                fmt_s(w("ours-cbm-witness")), fmt_mb(m("ours-cbm-witness"))))
        p("| `klocalizer --include drivers/net/dummy.o --modules -D CONFIG_MODULES -a %s`, cold (no formulas on disk) | %s | %s |" % (
            k["arch"], fmt_s(w("klocalizer-cold")), fmt_mb(m("klocalizer-cold"))))
        p("| the same klocalizer query, warm (formulas from the cold run) | %s | %s |" % (
            fmt_s(w("klocalizer-warm")), fmt_mb(m("klocalizer-warm"))))
        p("")
        kmax_scope = (w("kmaxall") or 0) + (w("kmax-ancestors") or 0)
        per_file = kmax_scope / max(1, k["makefiles"] + k["ancestors"])
        whole = per_file * k["tree_makefiles"]
        measured = t.get("kmax-tree", {}).get("status") == 0 and w("kmax-tree")
        if measured:
            whole = w("kmax-tree")
            whole_how = ("kmaxall over the %d Kbuild files of the directories x86's build "
                         "enters, measured in this run: %s" % (k["tree_makefiles"], fmt_s(whole)))
        else:
            whole_how = ("extrapolated at the scope's rate, %.2f s per Kbuild file x the %d "
                         "Kbuild files of the directories x86's build enters = %s; "
                         "`scripts/bench --kmax-tree` measures it" % (
                             per_file, k["tree_makefiles"], fmt_s(whole)))
        summary.append("- One cold could-be-module query (`drivers/net/dummy.o`, %s): kpossible %s "
                       "faster than klocalizer cold, %s than klocalizer warm (target: 100x against "
                       "cold); with its probe results cached, %s faster than klocalizer cold and %s "
                       "than klocalizer warm; cold and writing the witness `.config` (every probe "
                       "runs), %s faster than klocalizer cold." % (
                                   k["arch"], ratio(w("klocalizer-cold"), w("ours-cbm")),
                                   ratio(w("klocalizer-warm"), w("ours-cbm")),
                                   ratio(w("klocalizer-cold"), w("ours-cbm-probes-cached")),
                                   ratio(w("klocalizer-warm"), w("ours-cbm-probes-cached")),
                                   ratio(w("klocalizer-cold"), w("ours-cbm-witness"))))
        summary.append("- Whole-tree possibility analysis of %s: kpossible %s against kmax's pass "
                       "over the whole tree (%s); %s against kmax + "
                       "kclause + klocalizer's search over the scope alone (target: 100x against "
                       "kmax over the same scope)." % (
                           k["arch"], ratio(whole, w("ours-manifest")), whole_how,
                           ratio(kmax_scope + (w("kextract") or 0) + (w("kclause") or 0)
                                 + ag["seconds"]["checks"], w("ours-manifest"))))
        p("Ratios:")
        p("")
        p("- one cold could-be-module query: kpossible **%s faster** than klocalizer cold "
          "(%s faster than klocalizer warm);" % (
              ratio(w("klocalizer-cold"), w("ours-cbm")), ratio(w("klocalizer-warm"), w("ours-cbm"))))
        p("- possibility analysis: kpossible's whole-arch analysis (%s, all %d Kbuild files of "
          "x86's directories) against kmax's pass over the scope only (%s for %d Kbuild files): **%s**; "
          "against kmax + kclause + klocalizer's search over the scope (%s): **%s**; against kmax "
          "over the whole tree (%s): **%s**."
          % (fmt_s(w("ours-manifest")), k["tree_makefiles"], fmt_s(kmax_scope),
             k["makefiles"] + k["ancestors"],
             ratio(kmax_scope, w("ours-manifest")),
             fmt_s(kmax_scope + (w("kextract") or 0) + (w("kclause") or 0) + ag["seconds"]["checks"]),
             ratio(kmax_scope + (w("kextract") or 0) + (w("kclause") or 0) + ag["seconds"]["checks"],
                   w("ours-manifest")),
             whole_how, ratio(whole, w("ours-manifest"))))
        p("")
        p("### Agreement, object by object")
        p("")
        p("kmax's answer to *can this object be a module on %s?* is klocalizer's: SAT of "
          "kclause's formulas, kmax's presence conditions of the unit and of every directory "
          "above it, klocalizer's arch constraints and CONFIG_MODULES (a config with tristates at "
          "m is then handed out), UNSAT otherwise. kmax's conditions do not say whether a unit "
          "is linked built-in or into a module, so a SAT answer is only *can be built*." % k["arch"])
        p("")
        cats = {}
        for row in ag["rows"]:
            cats.setdefault(row["category"], []).append(row)
        both = sum(len(cats.get(c, [])) for c in
                   ("agree-yes", "agree-no", "ours-yes-kmax-no", "ours-no-kmax-yes", "ours-unknown", "kmax-unknown"))
        agreeing = len(cats.get("agree-yes", [])) + len(cats.get("agree-no", []))
        names = [
            ("agree-yes", "both yes (kpossible: module; klocalizer: a config builds it)"),
            ("agree-no", "both no (kpossible: never a module; klocalizer: never built)"),
            ("ours-no-kmax-yes", "kpossible no, klocalizer finds a config"),
            ("ours-yes-kmax-no", "kpossible yes, klocalizer UNSAT"),
            ("ours-unknown", "kpossible unknown"),
            ("kmax-unknown", "z3 unknown"),
            ("only-ours", "listed by kpossible only (kmaxall from the scope does not reach them; below)"),
            ("only-kmax", "listed by kmax only (composite objects and others; below)"),
        ]
        p("| answers | objects |")
        p("|---|---|")
        for c, label in names:
            p("| %s | %d |" % (label, len(cats.get(c, []))))
        p("| **agreement on objects both list** | **%d / %d (%.1f%%)** |" % (
            agreeing, both, 100.0 * agreeing / max(1, both)))
        p("")
        s = k["settled"]
        p("### Every disagreement, settled by the real tools")
        p("")
        p("Each configuration below went through the tree's own `make olddefconfig` and the "
          "real-make walk (`crates/oracle`); the table says where the object ended up.")
        p("")
        p("**kpossible no, klocalizer finds a config** (%d objects; klocalizer's `--modules` "
          "configs, packed into %d config(s)%s): in a module: **%d** (kpossible wrong), built-in: %d, "
          "not built at all: %d (klocalizer's config does not survive the real olddefconfig)."
          % (len(cats.get("ours-no-kmax-yes", [])), len(ag["packs"]),
             ("; %d objects left unsettled by --max-configs" % len(ag["unpacked"])) if ag["unpacked"] else "",
             s["b_module"], s["b_builtin"], s["b_absent"]))
        p("")
        p("**kpossible yes, klocalizer UNSAT** (%d objects; kpossible's witness configs): in a "
          "module: **%d** (kmax wrong), built-in: %d, not built: %d (kpossible wrong)." % (
              len(cats.get("ours-yes-kmax-no", [])), s["a_module"], s["a_builtin"], s["a_absent"]))
        p("")
        p("**After settling, the real tools side with kpossible on %d of the %d disagreements "
          "and with klocalizer on %d.**" % (
              s["a_module"] + s["b_builtin"] + s["b_absent"], len(s["rows"]),
              s["a_builtin"] + s["a_absent"] + s["b_module"]))
        p("")
        p("| object | kpossible | klocalizer | real conf + make on the deciding config | settled |")
        p("|---|---|---|---|---|")
        for row in s["rows"]:
            p("| `%s` | %s | %s | %s | %s |" % (row["object"], row["ours"], row["kmax"],
                                            row["real"], row["settled"]))
        p("")
        for c, label in (("ours-unknown", "kpossible unknown"),
                         ("only-ours", "Listed by kpossible only: objects of directories that "
                          "kmaxall, started at the scope's directories, never reaches (they are "
                          "entered from a Makefile outside the scope, e.g. `drivers/Makefile` "
                          "enters `drivers/block/aoe/`)"),
                         ("only-kmax", "Listed by kmax only: %d composite objects, whose members "
                          "kpossible lists instead (the member lists are compared above), and "
                          "these others" % len(ag.get("composites", [])))):
            rows = cats.get(c, [])
            if c == "only-kmax":
                rows = [x for x in rows if x["object"] not in set(ag.get("composites", []))]
            if rows or c == "only-kmax":
                shown = ", ".join("`%s`" % x["object"] for x in rows[:40])
                more = " and %d more" % (len(rows) - 40) if len(rows) > 40 else ""
                p("%s (%d): %s%s." % (label, len(rows), shown or "none", more))
                p("")
        p(k.get("note", ""))
        p("")
    if r.get("skipped"):
        p("## Not measured in this run")
        p("")
        for s in r["skipped"]:
            p("- %s" % s)
        p("")
    if "kmax" in r:
        cats = {}
        for row in r["kmax"]["agree"]["rows"]:
            cats[row["category"]] = cats.get(row["category"], 0) + 1
        st = r["kmax"]["settled"]
        summary.append("- Agreement with klocalizer, object by object over the scope: same answer on %d of the %d "
                       "objects both list; of the %d disagreements, the real tools side with "
                       "kpossible on %d and with klocalizer on %d." % (
                           cats.get("agree-yes", 0) + cats.get("agree-no", 0),
                           sum(cats.get(c, 0) for c in ("agree-yes", "agree-no", "ours-yes-kmax-no",
                                                       "ours-no-kmax-yes", "ours-unknown", "kmax-unknown")),
                           len(st["rows"]), st["a_module"] + st["b_builtin"] + st["b_absent"],
                           st["a_builtin"] + st["a_absent"] + st["b_module"]))
    out[summary_at:summary_at] = ["## Summary", ""] + summary + [""]
    with open(a.out, "w") as f:
        f.write("\n".join(out).rstrip() + "\n")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("agree")
    g.add_argument("--ksrc", required=True)
    g.add_argument("--kmax", nargs="+", required=True)
    g.add_argument("--kclause-dir", required=True)
    g.add_argument("--arch", default="x86_64")
    g.add_argument("--our-arch", default="x86_64")
    g.add_argument("--manifest", required=True)
    g.add_argument("--scope", nargs="+", required=True)
    g.add_argument("--configs", required=True)
    g.add_argument("--max-configs", type=int, default=8)
    g.add_argument("--out", required=True)
    rd = sub.add_parser("render")
    rd.add_argument("--results", required=True)
    rd.add_argument("--out", required=True)
    a = ap.parse_args()
    {"agree": agree, "render": render}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
