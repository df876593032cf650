# SPDX-License-Identifier: GPL-2.0
#
# vmctl: the kernel module, libvmctl, the vmctl tool and the selftests.
#
#   make                 build everything for the default kernel (Debian 6.12)
#   make KVER=6.1        ... for the newest installed Debian 6.1 kernel
#   make KVER=RELEASE    ... for that exact release (see scripts/kver)
#   make check           install dependencies, build, lint, run every test
#                        (unit tests on the host, selftests in the dev VM)
#   make demo            install dependencies, build, show vmctl at work
#   make bench           benchmarks in the dev VM (instruction-counted),
#                        printed as ratios against the Linux baseline
#   make deps            install build and test dependencies (apt-get)
#   make lint            checkpatch --strict and sparse on the module
#   make clean

TOP		:= $(CURDIR)
KVER		?= 6.12
VERSION		:= $(shell cat $(TOP)/VERSION)
KSRC		:= $(TOP)/build/linux-src/linux-source-6.12
KSFT_DIR	:= $(KSRC)/tools/testing/selftests

# Resolved lazily: a fresh machine has no kernel headers before make deps.
KREL		= $(or $(_krel),$(eval _krel := $(shell $(TOP)/scripts/kver $(KVER)))$(_krel))
KDIR		= /lib/modules/$(KREL)/build

KBUILD_ARGS	= -C $(KDIR) M=$(TOP) VMCTL_TOP=$(TOP) VMCTL_VERSION=$(VERSION)

Q		:= $(if $(V),,@)

.PHONY: all deps module user selftests splat-module lint check demo bench clean

all: module user selftests

deps:
	$(Q)$(TOP)/scripts/deps

# The module is built in place; switching kernels cleans it first.
module:
	$(Q)test -n "$(KREL)"
	$(Q)if [ "$$(cat module/.kver 2>/dev/null)" != "$(KREL)" ]; then \
		$(MAKE) -s $(KBUILD_ARGS) clean; \
		echo "$(KREL)" >module/.kver; \
	fi
	$(Q)$(MAKE) $(KBUILD_ARGS) KCFLAGS="$(KCFLAGS) -Werror" modules

# A copy of the module that WARNs on load, to test the VM runner's log
# checks; built apart so it never replaces module/vmctl.ko.
SPLAT_DIR	= $(TOP)/build/splat/$(KREL)
splat-module:
	$(Q)test -n "$(KREL)"
	$(Q)mkdir -p $(SPLAT_DIR)/module
	$(Q)cp -p Kbuild $(SPLAT_DIR)/
	$(Q)cp -p module/Kbuild module/*.[ch] $(SPLAT_DIR)/module/
	$(Q)$(MAKE) -s -C $(KDIR) M=$(SPLAT_DIR) VMCTL_TOP=$(TOP) \
		VMCTL_VERSION=$(VERSION) VMCTL_SELFTEST_SPLAT=1 modules

user:
	$(Q)$(MAKE) -C user TOP=$(TOP) KSFT_DIR=$(KSFT_DIR)

selftests: user
	$(Q)$(MAKE) -C selftests TOP=$(TOP) KSFT_DIR=$(KSFT_DIR)

CHECKPATCH	:= perl $(KSRC)/scripts/checkpatch.pl --no-tree --strict --terse \
		   --show-types --ignore FILE_PATH_CHANGES
lint:
	$(Q)$(CHECKPATCH) -f $(filter-out %.mod.c,$(wildcard module/*.[ch])) \
		include/uapi/linux/vmctl.h
	$(Q)$(MAKE) -s $(KBUILD_ARGS) C=2 modules 2>&1 | \
		{ ! grep -E 'warning|error'; }

check:
	$(Q)$(TOP)/scripts/check $(if $(filter command line,$(origin KVER)),--kver $(KVER))

bench:
	$(Q)$(TOP)/scripts/bench $(if $(filter command line,$(origin KVER)),--kver $(KVER))

demo:
	$(Q)$(TOP)/scripts/demo $(if $(filter command line,$(origin KVER)),--kver $(KVER))

clean:
	$(Q)if [ -e module/.kver ] && [ -d /lib/modules/$$(cat module/.kver)/build ]; then \
		$(MAKE) -s -C /lib/modules/$$(cat module/.kver)/build M=$(TOP) clean; \
	fi
	$(Q)rm -f module/.kver
	$(Q)$(MAKE) -s -C user TOP=$(TOP) clean
	$(Q)$(MAKE) -s -C selftests TOP=$(TOP) clean
	$(Q)rm -rf build/user build/selftests build/splat build/vm
