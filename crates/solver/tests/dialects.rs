//! The constructs and rules particular to one kernel's `scripts/kconfig`, on small hermetic
//! fixtures: our `.config` body for each against the one the tree's own `conf` wrote for the
//! same fixture and input (5.10: `option allnoconfig_y`, `option defconfig_list`, no
//! `# end of` for an empty menu; 5.10 and 6.1: tristate and optional choices read from a
//! `.config`; 7.2: `transitional`, `depends on X if Y`).

use kconfig_parser::{Dialect, MemLoader, Options, ShellMode, parse};
use solver::{Kconfig, Target, run_target};

/// Choices and menus shared by the 5.10 and 6.1 fixtures.
const CHOICES: &str = r#"menu "Empty"
endmenu

menu "Full"
config IN_MENU
	bool "In menu"
endmenu

choice
	prompt "Tristate choice"
config T0
	tristate "T0"
config T1
	tristate "T1"
endchoice

choice
	prompt "Optional bool choice"
	optional
config O0
	bool "O0"
config O1
	bool "O1"
endchoice

choice
	prompt "Optional tristate choice"
	optional
config OT0
	tristate "OT0"
config OT1
	tristate "OT1"
endchoice
"#;

const HEAD_5_10: &str = r#"mainmenu "Fixture"

config MODULES
	bool "Modules"
	option modules
	default y

config DEFCONFIG_LIST
	string
	option defconfig_list
	default "arch/none/defconfig"

config EMBEDDED
	bool "Embedded"
	option allnoconfig_y
	select EXPERT

config EXPERT
	bool "Expert"

"#;

const HEAD_6_1: &str = r#"mainmenu "Fixture"

config MODULES
	bool "Modules"
	modules
	default y

"#;

const KCONFIG_7_2: &str = r#"mainmenu "Fixture"

config MODULES
	bool "Modules"
	modules
	default y

config NEW_BOOL
	bool "New bool"
	default OLD_BOOL

config OLD_BOOL
	bool
	transitional

config NEW_TRI
	tristate "New tristate"
	default OLD_TRI

config OLD_TRI
	tristate
	transitional

config NEW_STR
	string "New string"
	default OLD_STR

config OLD_STR
	string
	transitional

config NEW_INT
	int "New int"
	default OLD_INT

config OLD_INT
	int
	transitional

config KEPT
	bool "Kept"
	default OLD_KEPT

config OLD_KEPT
	bool
	transitional

config A
	tristate "A"

config B
	tristate "B"

config NEEDS_A_UNLESS_B
	tristate "Needs A unless B"
	depends on A if !B
	default y

config NEEDS_A_IF_A_OR_B
	bool "Needs A and B if A or B"
	depends on (A && B) if (A || B)
	default y

menu "Empty"
endmenu
"#;

/// The `.config` from the first symbol line on (the header names the tool).
fn body(config: &str) -> &str {
    let at = config
        .find("\nCONFIG_")
        .into_iter()
        .chain(config.find("\n# CONFIG_"))
        .min()
        .map_or(0, |i| i + 1);
    &config[at..]
}

fn config(dialect: Dialect, kconfig: &str, target: Target, input: Option<&str>) -> String {
    let loader = MemLoader::from_fixture(&format!("#- Kconfig\n{kconfig}"));
    let model = parse(
        "Kconfig",
        &loader,
        &Options::new(dialect, ShellMode::Record),
    );
    assert_eq!(model.error_count(), 0, "{:?}", model.diagnostics);
    let k = Kconfig::new(&model);
    let (text, _) = run_target(&k, target, input);
    body(&text).to_string()
}

#[test]
fn linux_5_10_allnoconfig_sets_allnoconfig_y() {
    let kconfig = format!("{HEAD_5_10}{CHOICES}");
    let got = config(Dialect::LINUX_5_10, &kconfig, Target::AllNoConfig, None);
    assert_eq!(
        got,
        r#"# CONFIG_MODULES is not set
CONFIG_EMBEDDED=y
CONFIG_EXPERT=y

#
# Empty
#

#
# Full
#
# CONFIG_IN_MENU is not set
# end of Full

CONFIG_T0=y
# CONFIG_T1 is not set
"#
    );
}

#[test]
fn linux_5_10_choices_read_from_config() {
    let kconfig = format!("{HEAD_5_10}{CHOICES}");
    let got = config(
        Dialect::LINUX_5_10,
        &kconfig,
        Target::OldDefConfig,
        Some(
            r#"CONFIG_MODULES=y
CONFIG_T1=y
CONFIG_O1=y
CONFIG_OT0=m
"#,
        ),
    );
    assert_eq!(
        got,
        r#"CONFIG_MODULES=y
# CONFIG_EMBEDDED is not set
# CONFIG_EXPERT is not set

#
# Empty
#

#
# Full
#
# CONFIG_IN_MENU is not set
# end of Full

# CONFIG_T0 is not set
CONFIG_T1=y
# CONFIG_O0 is not set
CONFIG_O1=y
CONFIG_OT0=m
# CONFIG_OT1 is not set
"#
    );
}

#[test]
fn linux_5_10_choices_without_modules() {
    let kconfig = format!("{HEAD_5_10}{CHOICES}");
    let got = config(
        Dialect::LINUX_5_10,
        &kconfig,
        Target::OldDefConfig,
        Some(
            r#"# CONFIG_MODULES is not set
CONFIG_O0=y
CONFIG_OT1=y
"#,
        ),
    );
    assert_eq!(
        got,
        r#"# CONFIG_MODULES is not set
# CONFIG_EMBEDDED is not set
# CONFIG_EXPERT is not set

#
# Empty
#

#
# Full
#
# CONFIG_IN_MENU is not set
# end of Full

CONFIG_T0=y
# CONFIG_T1 is not set
CONFIG_O0=y
# CONFIG_O1 is not set
# CONFIG_OT0 is not set
CONFIG_OT1=y
"#
    );
}

#[test]
fn linux_6_1_allnoconfig() {
    let kconfig = format!("{HEAD_6_1}{CHOICES}");
    let got = config(Dialect::LINUX_6_1, &kconfig, Target::AllNoConfig, None);
    assert_eq!(
        got,
        r#"# CONFIG_MODULES is not set

#
# Empty
#
# end of Empty

#
# Full
#
# CONFIG_IN_MENU is not set
# end of Full

CONFIG_T0=y
# CONFIG_T1 is not set
"#
    );
}

#[test]
fn linux_6_1_choices_read_from_config() {
    let kconfig = format!("{HEAD_6_1}{CHOICES}");
    let got = config(
        Dialect::LINUX_6_1,
        &kconfig,
        Target::OldDefConfig,
        Some(
            r#"CONFIG_MODULES=y
CONFIG_T1=y
CONFIG_O1=y
CONFIG_OT0=m
"#,
        ),
    );
    assert_eq!(
        got,
        r#"CONFIG_MODULES=y

#
# Empty
#
# end of Empty

#
# Full
#
# CONFIG_IN_MENU is not set
# end of Full

# CONFIG_T0 is not set
CONFIG_T1=y
# CONFIG_O0 is not set
CONFIG_O1=y
CONFIG_OT0=m
# CONFIG_OT1 is not set
"#
    );
}

#[test]
fn linux_6_1_choices_without_modules() {
    let kconfig = format!("{HEAD_6_1}{CHOICES}");
    let got = config(
        Dialect::LINUX_6_1,
        &kconfig,
        Target::OldDefConfig,
        Some(
            r#"# CONFIG_MODULES is not set
CONFIG_O0=y
CONFIG_OT1=y
"#,
        ),
    );
    assert_eq!(
        got,
        r#"# CONFIG_MODULES is not set

#
# Empty
#
# end of Empty

#
# Full
#
# CONFIG_IN_MENU is not set
# end of Full

CONFIG_T0=y
# CONFIG_T1 is not set
CONFIG_O0=y
# CONFIG_O1 is not set
# CONFIG_OT0 is not set
CONFIG_OT1=y
"#
    );
}

#[test]
fn linux_7_2_allnoconfig() {
    let got = config(Dialect::LINUX_7_2, KCONFIG_7_2, Target::AllNoConfig, None);
    assert_eq!(
        got,
        r#"# CONFIG_MODULES is not set
# CONFIG_NEW_BOOL is not set
# CONFIG_NEW_TRI is not set
CONFIG_NEW_STR=""
CONFIG_NEW_INT=0
# CONFIG_KEPT is not set
# CONFIG_A is not set
# CONFIG_B is not set
# CONFIG_NEEDS_A_IF_A_OR_B is not set

#
# Empty
#
# end of Empty
"#
    );
}

#[test]
fn linux_7_2_allyesconfig() {
    let got = config(Dialect::LINUX_7_2, KCONFIG_7_2, Target::AllYesConfig, None);
    assert_eq!(
        got,
        r#"CONFIG_MODULES=y
CONFIG_NEW_BOOL=y
CONFIG_NEW_TRI=y
CONFIG_NEW_STR=""
CONFIG_NEW_INT=0
CONFIG_KEPT=y
CONFIG_A=y
CONFIG_B=y
CONFIG_NEEDS_A_UNLESS_B=y
CONFIG_NEEDS_A_IF_A_OR_B=y

#
# Empty
#
# end of Empty
"#
    );
}

#[test]
fn linux_7_2_transitional_values_pass_on() {
    let got = config(
        Dialect::LINUX_7_2,
        KCONFIG_7_2,
        Target::OldDefConfig,
        Some(
            r#"CONFIG_MODULES=y
CONFIG_OLD_BOOL=y
CONFIG_OLD_TRI=m
CONFIG_OLD_STR="text"
CONFIG_OLD_INT=42
# CONFIG_KEPT is not set
CONFIG_OLD_KEPT=y
CONFIG_A=m
"#,
        ),
    );
    assert_eq!(
        got,
        r#"CONFIG_MODULES=y
CONFIG_NEW_BOOL=y
CONFIG_NEW_TRI=m
CONFIG_NEW_STR="text"
CONFIG_NEW_INT=42
# CONFIG_KEPT is not set
CONFIG_A=m
# CONFIG_B is not set
CONFIG_NEEDS_A_UNLESS_B=m

#
# Empty
#
# end of Empty
"#
    );
}

#[test]
fn linux_7_2_conditional_dependency() {
    let got = config(
        Dialect::LINUX_7_2,
        KCONFIG_7_2,
        Target::OldDefConfig,
        Some(
            r#"CONFIG_MODULES=y
CONFIG_B=y
CONFIG_NEEDS_A_UNLESS_B=y
"#,
        ),
    );
    assert_eq!(
        got,
        r#"CONFIG_MODULES=y
# CONFIG_NEW_BOOL is not set
# CONFIG_NEW_TRI is not set
CONFIG_NEW_STR=""
CONFIG_NEW_INT=0
# CONFIG_KEPT is not set
# CONFIG_A is not set
CONFIG_B=y
CONFIG_NEEDS_A_UNLESS_B=y

#
# Empty
#
# end of Empty
"#
    );
}
