# kpossible oracle: read after the tree's real top-level Makefile, as
#   make -C $O -f $O/Makefile -f top.mk KP_ORACLE_OUT=DIR kp-oracle
# so the arch Makefile, the directory lists and exports and auto.conf are the real ones.
# The walk starts where the top Makefile's own descent does, with the same flags:
# `$(build-dir): prepare` (obj=., from 6.1 on) or `$(build-dirs): prepare` (each of
# vmlinux-dirs, before), both with need-builtin=1 need-modorder=1, but runs walk.mk instead
# of compiling.
KP_ORACLE_DIR := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
ifeq ($(need-sub-make),1)
# This make only hands the goals to a sub-make in the output directory (so for every O=
# build in 5.10): hand them over with this file read too.
__sub-make:
	$(Q)$(MAKE) --no-print-directory -C $(or $(abs_output),$(abs_objtree)) \
		-f $(abs_srctree)/Makefile -f $(KP_ORACLE_DIR)top.mk $(MAKECMDGOALS)
else
__kp_start := $(or $(build-dir),$(build-dirs))
# KP_ONLY (see walk.mk) filters the start directories too.
__kp_go := $(if $(filter-out .,$(__kp_start)),$(if $(KP_ONLY),$(filter $(KP_ONLY),$(__kp_start)),$(__kp_start)),$(__kp_start))
PHONY += kp-oracle $(addprefix __kp_start_,$(__kp_go))
kp-oracle: $(addprefix __kp_start_,$(__kp_go))
	@:
__kp_clean:
	$(Q)rm -rf $(KP_ORACLE_OUT) && mkdir -p $(KP_ORACLE_OUT)
$(if $(__kp_start),,$(error kpossible oracle: the top Makefile defines neither build-dir nor build-dirs))
# Several start directories: the top-level make itself is the record of `.`, whose
# modules.order is theirs in order (`modules.order: $(subdir-modorder)`).
ifneq ($(__kp_start),.)
kp-oracle: __kp_top
__kp_top: __kp_clean
	$(file >$(KP_ORACLE_OUT)/d@..rec,.|1|1|||||$(addsuffix /modules.order,$(__kp_start))||)
endif
$(addprefix __kp_start_,$(__kp_go)): __kp_start_%: __kp_clean
	$(Q)$(MAKE) -f $(srctree)/scripts/Makefile.build -f $(KP_ORACLE_DIR)walk.mk \
		obj=$* need-builtin=1 need-modorder=1 __kp_walk
endif
