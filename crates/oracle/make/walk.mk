# kpossible oracle: read after scripts/Makefile.build, when the real Kbuild file and
# scripts/Makefile.lib have computed this directory's lists. Writes them to one record and
# descends exactly like Makefile.build's $(subdir-ym) rule (need-builtin / need-modorder only
# for subdirectories listed in subdir-builtin / subdir-modorder).
__kp_walk_mk := $(abspath $(lastword $(MAKEFILE_LIST)))
__kp_strip = $(patsubst $(obj)/%,%,$1)
# Makefile.lib's suffix-search (6.1 on; 5.10 wrote the same lookups inline).
__kp_suffix_search = $(strip $(foreach s, $3, $($(1:%$(strip $2)=%$s))))
__kp_members = $(foreach m,$1,$(m)=$(subst $(space),$(comma),$(strip $(call __kp_suffix_search,$(call __kp_strip,$m),.o,$2))))
# The composites: multi-obj-y/-m from 6.1 on, multi-used-y/-m before.
__kp_multi_y := $(or $(multi-obj-y),$(multi-used-y))
__kp_multi_m := $(or $(multi-obj-m),$(multi-used-m))
$(file >$(KP_ORACLE_OUT)/d@$(subst /,@,$(obj)).rec,$(obj)|$(need-builtin)|$(need-modorder)|$(strip $(real-obj-y))|$(strip $(real-obj-m))|$(strip $(lib-y))|$(strip $(subdir-ym))|$(strip $(obj-m))|$(strip $(call __kp_members,$(__kp_multi_y),-objs -y))|$(strip $(call __kp_members,$(__kp_multi_m),-objs -y -m)))
# KP_ONLY (optional): the directories to descend into, each with all its ancestors; a walk
# that visits only the paths to some objects, to confirm a witness quickly.
__kp_sub := $(if $(KP_ONLY),$(filter $(KP_ONLY),$(subdir-ym)),$(subdir-ym))
PHONY += __kp_walk $(addprefix __kp_walk_,$(__kp_sub))
__kp_walk: $(addprefix __kp_walk_,$(__kp_sub))
	@:
# A static pattern rule: make's implicit pattern rules do not match goals containing '/'.
$(addprefix __kp_walk_,$(__kp_sub)): __kp_walk_%:
	$(Q)$(MAKE) -f $(srctree)/scripts/Makefile.build -f $(__kp_walk_mk) obj=$* \
	need-builtin=$(if $(filter $*/built-in.a, $(subdir-builtin)),1) \
	need-modorder=$(if $(filter $*/modules.order, $(subdir-modorder)),1) __kp_walk
