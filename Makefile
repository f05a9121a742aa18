# SPDX-License-Identifier: Apache-2.0
#
# airlock build.  Quiet by default; `make V=1` shows every command.
#
#   make            build/airlockd, build/airlock (and the BPF objects and skeletons)
#   make run        install missing packages, build, start airlockd in the foreground
#   make test       install missing packages, build, run every test suite
#   make bench      build and run the benchmarks (tables of ratios)
#   make fuzz       build the libFuzzer targets under build/fuzz/
#   make install    install binaries, unit and default policy (DESTDIR, PREFIX honoured)
#   make vmlinux    regenerate the pinned bpf/vmlinux.h from this kernel's BTF

.DELETE_ON_ERROR:
.SUFFIXES:

BUILD      ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
CLANG      ?= clang
BPFTOOL    ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH       := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

ifeq ($(V),1)
Q :=
msg := @true
else
Q := @
msg = @printf '  %-8s %s\n'
endif

WARN     := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -fno-strict-aliasing -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
            -fPIE -MMD -MP
CPPFLAGS += -D_GNU_SOURCE -Iinclude -Iagent -I$(BUILD)
LDFLAGS  += -pie -Wl,-z,relro,-z,now -Wl,--as-needed
LDLIBS   += -lbpf -lelf -lz -lseccomp -lyaml -ljansson -lhs -lsystemd -lcrypto -lm -lpthread

BPF_CFLAGS := -g -O2 -Wall -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -Ibpf

# Every agent/*.c except the two mains goes into one static library that the
# binaries, the tests and the benchmarks link against.
MAINS      := agent/airlockd.c agent/airlock.c
LIB_SRCS   := $(filter-out $(MAINS),$(wildcard agent/*.c))
LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB        := $(BUILD)/libairlock.a

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
SKELS      := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/%.skel.h)

UNIT_SRCS  := $(wildcard tests/unit/*.c)
INTEG_SRCS := $(wildcard tests/integration/*.c)
BENCH_SRCS := $(wildcard tests/bench/*.c)
FUZZ_SRCS  := $(wildcard tests/fuzz/*.c)
TEST_HELPER_SRCS := $(wildcard tests/lib/*.c)
TEST_HELPER_OBJS := $(TEST_HELPER_SRCS:%.c=$(BUILD)/%.o)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
INTEG_BINS := $(INTEG_SRCS:tests/integration/%.c=$(BUILD)/tests/integration/%)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(BUILD)/tests/bench/%)
TEST_HELPERS := $(wildcard tests/helpers/*.c)
TEST_HELPER_BINS := $(TEST_HELPERS:tests/helpers/%.c=$(BUILD)/tests/helpers/%)

BINS := $(BUILD)/airlockd $(BUILD)/airlock $(BUILD)/libexec/airlock

.PHONY: all deps run test unit integration bench fuzz install clean vmlinux format

all: $(BINS)

deps:
	$(Q)scripts/install-deps.sh

# --- BPF -------------------------------------------------------------------
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/vmlinux.h | $(BUILD)/bpf
	$(msg) BPF $@
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(msg) SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# Skeletons and objects are outputs in their own right (agent code includes the former,
# tests/unit/test_abi reads the latter's BTF): never delete them as intermediates.
.SECONDARY: $(BPF_OBJS) $(SKELS)

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > bpf/vmlinux.h

# --- agent -----------------------------------------------------------------
# Objects may include any skeleton, so every skeleton is built first.
$(BUILD)/agent/%.o: agent/%.c | $(BUILD)/agent $(SKELS)
	$(msg) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(msg) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/airlockd: $(BUILD)/agent/airlockd.o $(LIB)
	$(msg) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The CLI users run holds the commands that only talk to airlockd and, linked with
# --as-needed, loads libjansson alone; it runs the full build (libexec/airlock) for the
# others.  See agent/airlock.c.
$(BUILD)/agent/airlock-front.o: agent/airlock.c | $(BUILD)/agent $(SKELS)
	$(msg) CC $@
	$(Q)$(CC) $(CPPFLAGS) -DAIRLOCK_CLI_FRONT $(CFLAGS) -c $< -o $@

$(BUILD)/airlock: $(BUILD)/agent/airlock-front.o $(LIB)
	$(msg) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libexec/airlock: $(BUILD)/agent/airlock.o $(LIB)
	@mkdir -p $(@D)
	$(msg) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# --- tests -----------------------------------------------------------------
$(BUILD)/tests/%.o: tests/%.c | $(SKELS)
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(CPPFLAGS) -Itests/lib $(CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(TEST_HELPER_OBJS) $(LIB)
	$(msg) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

$(BUILD)/tests/integration/%: $(BUILD)/tests/integration/%.o $(TEST_HELPER_OBJS) $(LIB)
	$(msg) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(TEST_HELPER_OBJS) $(LIB)
	$(msg) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Small programs the integration tests run under airlock (no Criterion).
$(BUILD)/tests/helpers/%: tests/helpers/%.c
	@mkdir -p $(@D)
	$(msg) CC $@
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

unit: $(UNIT_BINS)
integration: $(BINS) $(INTEG_BINS) $(TEST_HELPER_BINS)

test: deps
	$(Q)$(MAKE) --no-print-directory all unit integration
	$(Q)scripts/run-tests.sh $(BUILD) $(UNIT_BINS) $(INTEG_BINS)

bench: $(BINS) $(BENCH_BINS) $(TEST_HELPER_BINS)
	$(Q)scripts/run-bench.sh $(BUILD) $(BENCH_BINS)

fuzz:
	$(Q)scripts/build-fuzz.sh $(BUILD)

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/run-daemon.sh $(BUILD)

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)/etc/airlock \
		$(DESTDIR)/lib/systemd/system
	install -m 0755 $(BUILD)/airlock $(DESTDIR)$(PREFIX)/bin/airlock
	install -D -m 0755 $(BUILD)/libexec/airlock $(DESTDIR)$(PREFIX)/libexec/airlock/airlock
	install -m 0755 $(BUILD)/airlockd $(DESTDIR)$(PREFIX)/sbin/airlockd
	install -m 0644 deploy/systemd/airlockd.service $(DESTDIR)/lib/systemd/system/airlockd.service
	test -e $(DESTDIR)/etc/airlock/policy.yaml || \
		install -m 0644 deploy/policy/default.yaml $(DESTDIR)/etc/airlock/policy.yaml

format:
	clang-format -i $(wildcard agent/*.[ch] bpf/*.bpf.c include/airlock/*.h)

$(BUILD)/bpf $(BUILD)/agent:
	@mkdir -p $@

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The default policy is embedded with .incbin, which -MMD cannot see.
$(BUILD)/agent/policy_default.o: deploy/policy/default.yaml
