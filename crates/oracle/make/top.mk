# kpossible oracle: read after the tree's real top-level Makefile, as
#   make -C $O -f $O/Makefile -f top.mk KP_ORACLE_OUT=DIR kp-oracle
# so the arch Makefile, the ARCH_CORE / ARCH_LIB / ARCH_DRIVERS exports and auto.conf are the
# real ones. The walk starts at obj=. with need-builtin=1 need-modorder=1, exactly as the top
# Makefile's $(build-dir) rule does, but runs walk.mk instead of compiling.
KP_ORACLE_DIR := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
PHONY += kp-oracle
kp-oracle:
	$(Q)rm -rf $(KP_ORACLE_OUT) && mkdir -p $(KP_ORACLE_OUT)
	$(Q)$(MAKE) -f $(srctree)/scripts/Makefile.build -f $(KP_ORACLE_DIR)walk.mk \
		obj=. need-builtin=1 need-modorder=1 __kp_walk
