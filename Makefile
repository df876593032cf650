# SPDX-License-Identifier: GPL-2.0
#
# vmctl: the kernel module, libvmctl, the vmctl tool and the selftests.
#
#   make                 build everything for the default kernel (Debian 6.12)
#   make KVER=6.1        ... for the newest installed Debian 6.1 kernel
#   make KVER=RELEASE    ... for that exact release (see scripts/kver)
#   make check           install dependencies, build, lint, run every test
#   make check-debug     the selftests, stress and fuzz runs on a debug kernel
#                        (KASAN, lockdep, KMEMLEAK, ...; first build 20-40 min)
#                        (unit tests on the host, selftests in the dev VM)
#   make demo            install dependencies, build, show vmctl at work
#   make bench           benchmarks in the dev VM (instruction-counted),
#                        printed as ratios against the Linux baseline
#   make deps            install build and test dependencies (apt-get)
#   make lint            checkpatch --strict and sparse on the module
#   make man             man pages (scdoc) into build/man
#   make install         module (into /lib/modules/KREL/updates, + depmod),
#                        libvmctl, vmctl, man pages, bash completion, udev
#                        rule, modprobe.d file; DESTDIR=, PREFIX=/usr/local
#   make uninstall       remove all of that again (same variables)
#   make dkms-install    copy the module source to /usr/src/vmctl-VERSION and
#                        dkms add/build/install it (dkms-uninstall: reverse)
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

.PHONY: all deps module user selftests splat-module lint check check-debug demo bench clean \
	netlink-doc \
	man install uninstall install-module uninstall-module dkms-src dkms-install \
	dkms-uninstall

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

# The netlink reference, generated from the YAML spec by the kernel's
# ynl-gen-rst; make check fails when the checked-in copy is stale.
NETLINK_SPEC	:= Documentation/netlink/specs/vmctl.yaml
NETLINK_RST	:= Documentation/netlink/vmctl.rst
netlink-doc:
	$(Q)python3 $(KSRC)/tools/net/ynl/ynl-gen-rst.py -i $(NETLINK_SPEC) -o $(NETLINK_RST)

check:
	$(Q)$(TOP)/scripts/check $(if $(filter command line,$(origin KVER)),--kver $(KVER))

# vmctl on a KASAN/lockdep/KMEMLEAK/UBSAN/KFENCE 6.12 kernel built once from
# linux-source-6.12 (20-40 min the first time, cached): selftests, stress-ng, trinity and
# the structured fuzzer. Not part of check.
check-debug:
	$(Q)$(TOP)/scripts/check-debug

bench:
	$(Q)$(TOP)/scripts/bench $(if $(filter command line,$(origin KVER)),--kver $(KVER))

demo:
	$(Q)$(TOP)/scripts/demo $(if $(filter command line,$(origin KVER)),--kver $(KVER))

# ---- man pages: Documentation/man/NAME.SECTION.scd -> build/man/NAME.SECTION,
# plus a ".so" page for every other function a page's NAME line lists.
MAN_SRCS	:= $(wildcard Documentation/man/*.scd)
MAN_OUT		:= $(TOP)/build/man
man:
	$(Q)$(TOP)/scripts/man $(MAN_OUT) $(MAN_SRCS)

# ---- install / uninstall
PREFIX		?= /usr/local
bindir		?= $(PREFIX)/bin
mandir		?= $(PREFIX)/share/man
bashcompdir	?= $(PREFIX)/share/bash-completion/completions
udevrulesdir	?= /usr/lib/udev/rules.d
modprobedir	?= /usr/lib/modprobe.d
dkmssrcdir	?= /usr/src/vmctl-$(VERSION)
INSTALL		?= install
USER_INSTALL	= $(MAKE) -s -C user TOP=$(TOP) KSFT_DIR=$(KSFT_DIR) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
MODDIR		= $(DESTDIR)/lib/modules/$(KREL)/updates
# Directories make install creates; a staged (DESTDIR) uninstall removes
# them again when empty, up to DESTDIR. A live uninstall leaves them.
INSTALL_DIRS	= $(bindir) $(PREFIX)/lib/pkgconfig $(PREFIX)/lib $(PREFIX)/include \
		  $(bashcompdir) $(udevrulesdir) $(modprobedir) $(mandir)/man3 \
		  $(mandir)/man8 /lib/modules/$(KREL)
# depmod only for the live system; a package runs it from its postinst.
DEPMOD		= $(if $(DESTDIR),:,depmod $(KREL))

# The module is built and installed only when the headers of KREL are
# there (a machine that only wants the tool needs no kernel headers).
install-module:
	$(Q)if [ -z "$(KREL)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "vmctl: note: no kernel headers for KVER=$(KVER) ($(KDIR));" \
		     "the module is not installed (install linux-headers-$$(uname -r)" \
		     "and run make install KVER=$$(uname -r), or use dkms)"; \
	else \
		$(MAKE) -s module && \
		$(INSTALL) -D -m 0644 module/vmctl.ko $(MODDIR)/vmctl.ko && \
		$(DEPMOD); \
	fi

uninstall-module:
	$(Q)if [ -n "$(KREL)" ] && [ -e $(MODDIR)/vmctl.ko ]; then \
		rm -f $(MODDIR)/vmctl.ko; \
		rmdir $(MODDIR) 2>/dev/null || true; \
		$(DEPMOD); \
	fi

install: install-module user man
	$(Q)$(USER_INSTALL) install >/dev/null
	$(Q)$(INSTALL) -d $(DESTDIR)$(bashcompdir) $(DESTDIR)$(udevrulesdir) \
		$(DESTDIR)$(modprobedir) $(DESTDIR)$(mandir)/man3 $(DESTDIR)$(mandir)/man8
	$(Q)$(INSTALL) -m 0644 scripts/completion/vmctl.bash $(DESTDIR)$(bashcompdir)/vmctl
	$(Q)$(INSTALL) -m 0644 scripts/install/60-vmctl.rules $(DESTDIR)$(udevrulesdir)/60-vmctl.rules
	$(Q)$(INSTALL) -m 0644 scripts/install/vmctl.modprobe.conf $(DESTDIR)$(modprobedir)/vmctl.conf
	$(Q)for f in $(MAN_OUT)/*.[0-9]; do \
		$(INSTALL) -m 0644 $$f $(DESTDIR)$(mandir)/man$${f##*.}/ || exit; \
	done
	$(Q)if [ -z "$(DESTDIR)" ]; then \
		ldconfig; \
		udevadm control --reload 2>/dev/null || true; \
	fi

uninstall: uninstall-module man
	$(Q)$(USER_INSTALL) uninstall >/dev/null
	$(Q)rm -f $(DESTDIR)$(bashcompdir)/vmctl $(DESTDIR)$(udevrulesdir)/60-vmctl.rules \
		$(DESTDIR)$(modprobedir)/vmctl.conf
	$(Q)for f in $(MAN_OUT)/*.[0-9]; do \
		rm -f $(DESTDIR)$(mandir)/man$${f##*.}/$${f##*/}; \
	done
	$(Q)if [ -z "$(DESTDIR)" ]; then ldconfig; fi
	$(Q)if [ -n "$(DESTDIR)" ] && [ "$(DESTDIR)" != / ]; then \
		for d in $(INSTALL_DIRS); do \
			d=$(DESTDIR)$$d; \
			while [ "$$d" != "$(DESTDIR)" ] && rmdir "$$d" 2>/dev/null; do \
				d=$${d%/*}; \
			done; \
		done; \
	fi

# ---- DKMS: the module's source tree as DKMS wants it in /usr/src.
DKMS_SRCS	= dkms.conf VERSION Kbuild module/Kbuild include/uapi/linux/vmctl.h \
		  $(filter-out %.mod.c,$(wildcard module/*.[ch]))
dkms-src:
	$(Q)rm -rf $(DESTDIR)$(dkmssrcdir)
	$(Q)for f in $(DKMS_SRCS); do \
		$(INSTALL) -D -m 0644 $$f $(DESTDIR)$(dkmssrcdir)/$$f || exit; \
	done

dkms-install: dkms-src
	$(Q)dkms add -m vmctl -v $(VERSION)
	$(Q)dkms build -m vmctl -v $(VERSION) && dkms install -m vmctl -v $(VERSION)

dkms-uninstall:
	$(Q)dkms remove -m vmctl -v $(VERSION) --all || true
	$(Q)rm -rf $(dkmssrcdir)

clean:
	$(Q)if [ -e module/.kver ] && [ -d /lib/modules/$$(cat module/.kver)/build ]; then \
		$(MAKE) -s -C /lib/modules/$$(cat module/.kver)/build M=$(TOP) clean; \
	fi
	$(Q)rm -f module/.kver
	$(Q)$(MAKE) -s -C user TOP=$(TOP) clean
	$(Q)$(MAKE) -s -C selftests TOP=$(TOP) clean
	$(Q)rm -rf build/user build/selftests build/splat build/vm build/man
