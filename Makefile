# neoqmail -- see README and INSTALL.
#
# make              build every program into $(O) (default build/)
# make check        build, then run every test (TAP through prove)
# make setup        as root: install into conf-qmail with the real users
# make enable       as root: start it now and at boot (svscan; tools/enable)
# make mta-links    as root: /usr/sbin/sendmail etc. become neoqmail's;
#                   make mta-restore puts the old ones back
# make sandbox DIR=path PORT=n   a private, working install owned by you
# make start        build, make ./sandbox and start it (README quick start)
# make bench        print throughput and memory figures (not a test)
# make check-asan   build into $(O)/asan with AddressSanitizer, UBSan and
#                   LeakSanitizer, run every test on it, fail on any report
#                   (tools/check-asan; .ci/run runs it after make check)
# make fresh-test   as root: the README's quick start on a new Debian 12
#                   made with debootstrap (downloads; not part of check)
# make fuzz SECONDS=n  build the libFuzzer harnesses tests/fuzz/*.c with
#                   clang (ASan+UBSan) into $(O)/fuzz and run each for n
#                   seconds (default 60) over a copy of its corpus; fails
#                   on any crash (tests/fuzz/README). make check replays
#                   every corpus and regression input as $(O)/tests/fuzz-*
# make fuzz-merge   add what the last make fuzz found to tests/fuzz/corpus
#
# Paths, user names and the queue split come from the conf-* files and are
# compiled in. Every build setting below can be overridden on the command
# line; the sandbox target does exactly that to build a copy for its prefix.

O ?= build
firstline = $(shell sed -n 1p $(1))

QMAILHOME ?= $(call firstline,conf-qmail)
SPLIT ?= $(call firstline,conf-split)
SANDBOX ?= 0
ROLE_USERS ?= $(shell sed -n 1,8p conf-users)
ROLE_GROUPS ?= $(shell sed -n 1,2p conf-groups)
# A sanitized build (tools/check-asan): SANITIZE_CC replaces the compiler
# named first in conf-cc and conf-ld, SANITIZE adds its flags, and
# SANITIZER_LOG names the directory its reports go to (see
# tests/sanitize/options.c). check-asan sets all three in the environment,
# so that the builds the tests make themselves (sandboxes, make setup)
# are sanitized as well.
SANITIZE_CC ?=
SANITIZE ?=
SANITIZER_LOG ?=
with_cc = $(if $(SANITIZE_CC),$(SANITIZE_CC) $(wordlist 2,999,$(1)),$(1))
CC_CMD := $(call with_cc,$(call firstline,conf-cc)) $(SANITIZE)
LD_CMD := $(call with_cc,$(call firstline,conf-ld)) $(SANITIZE)
LIBOWFAT ?= /usr/lib/libowfat.a

DIR ?= ./sandbox
PORT ?= 2525

# Programs: one src/NAME.c each. Every other src/*.c is a library module,
# archived in $(O)/libneoq.a, so a new module needs no Makefile change.
PROGRAMS = qmail-queue qmail-send qmail-todo qmail-clean qmail-lspawn \
	qmail-local qmail-getpw qmail-newu qmail-start qmail-inject sendmail \
	qmail-qread qmail-showctl maildirmake qmail-install \
	qmail-smtpd qmail-newmrh qmail-rspawn qmail-remote qmail-tcpto \
	qmail-logstat
# Programs that never consult the password database are linked fully
# static: exec is then cheaper, and the setuid qmail-queue loads nothing.
STATIC_PROGRAMS = qmail-send qmail-todo qmail-clean \
	qmail-local qmail-inject sendmail qmail-qread maildirmake qmail-newu \
	qmail-smtpd qmail-newmrh qmail-rspawn qmail-remote qmail-tcpto \
	qmail-logstat
# A sanitizer runtime cannot be linked statically: nothing is, then.
ifneq ($(strip $(SANITIZE)),)
STATIC_PROGRAMS =
SANITIZER_OBJ = $(O)/obj/sanitizer-options.o
endif
SCRIPTS = qmailctl qmail-qstat

PROGRAM_SRCS = $(PROGRAMS:%=src/%.c)
MODULE_SRCS = $(filter-out $(PROGRAM_SRCS),$(wildcard src/*.c))
MODULE_OBJS = $(MODULE_SRCS:src/%.c=$(O)/obj/%.o) $(O)/obj/auto.o
UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
# libFuzzer harnesses: tests/fuzz/NAME.c (replay.c is their test driver)
FUZZ_NAMES = $(filter-out replay,$(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c)))
FUZZ_REPLAY = $(FUZZ_NAMES:%=$(O)/tests/fuzz-%)

CFLAGS_ALL = $(CC_CMD) -Isrc -I$(O) -MMD -MP

all: $(PROGRAMS:%=$(O)/%) $(SCRIPTS:%=$(O)/%)

# The compiled-in configuration. auto.conf changes only when a setting
# changes, so a rebuild with other settings recompiles just auto.c.
$(O)/auto.conf: FORCE
	@mkdir -p $(O)/obj $(O)/tests
	@printf '%s\n' "$(QMAILHOME)" "$(SPLIT)" "$(SANDBOX)" \
	  "$(strip $(ROLE_USERS))" "$(strip $(ROLE_GROUPS))" > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(O)/auto.c: $(O)/auto.conf tools/mkauto
	sh tools/mkauto $(O)/auto.conf > $@.new && mv $@.new $@

$(O)/obj/auto.o: $(O)/auto.c src/auto.h
	$(CFLAGS_ALL) -c -o $@ $<

# the report directory is compiled in: sanitize.conf, like auto.conf,
# changes only when it does
$(O)/sanitize.conf: FORCE
	@mkdir -p $(O)/obj
	@printf '%s\n' "$(SANITIZER_LOG)" > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(O)/obj/sanitizer-options.o: tests/sanitize/options.c $(O)/sanitize.conf
	$(CFLAGS_ALL) -DSANITIZER_LOG='"$(SANITIZER_LOG)"' -c -o $@ $<

$(O)/obj/%.o: src/%.c | $(O)/auto.conf
	$(CFLAGS_ALL) -c -o $@ $<

$(O)/libneoq.a: $(MODULE_OBJS)
	rm -f $@ && ar rcs $@ $^

$(O)/%: $(O)/obj/%.o $(O)/libneoq.a $(SANITIZER_OBJ)
	$(LD_CMD) $(if $(filter $*,$(STATIC_PROGRAMS)),-static) -o $@ $< \
	  $(SANITIZER_OBJ) $(O)/libneoq.a $(LIBOWFAT)

$(O)/%: src/%.sh $(O)/auto.conf
	sed -e 's}@QMAILHOME@}$(QMAILHOME)}g' -e 's}@PORT@}$(PORT)}g' \
	  -e 's}@SANDBOX@}$(SANDBOX)}g' $< > $@ && chmod 755 $@

$(O)/tests/%: tests/unit/%.c tests/unit/tap.h $(O)/libneoq.a $(SANITIZER_OBJ)
	$(CC_CMD) -Isrc -I$(O) -Itests/unit -o $@ $< $(SANITIZER_OBJ) $(O)/libneoq.a $(LIBOWFAT)

# The fuzz harnesses' replay tests: a harness and tests/fuzz/replay.c
$(O)/tests/fuzz-%: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(O)/libneoq.a $(SANITIZER_OBJ)
	$(CC_CMD) -Isrc -I$(O) -Itests/fuzz -DFUZZ_NAME='"$*"' -o $@ \
	  tests/fuzz/replay.c $< $(SANITIZER_OBJ) $(O)/libneoq.a $(LIBOWFAT)

units: $(UNIT_BINS) $(FUZZ_REPLAY)

# libFuzzer builds: clang, the modules instrumented (fuzzer-no-link),
# every harness linked with libFuzzer's main. conf-cc's flags, with
# FUZZ_CC for its compiler and -O1 for its -O2.
FUZZ_CC ?= clang-14
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = $(FUZZ_CC) $(filter-out -O2,$(wordlist 2,999,$(CC_CMD))) -O1 \
	-fno-omit-frame-pointer $(FUZZ_SAN) -Isrc -I$(O) -MMD -MP
FO = $(O)/fuzz
SECONDS ?= 60

$(FO)/obj/%.o: src/%.c | $(O)/auto.conf
	@mkdir -p $(FO)/obj
	$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FO)/obj/auto.o: $(O)/auto.c src/auto.h
	@mkdir -p $(FO)/obj
	$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FO)/libneoq.a: $(MODULE_SRCS:src/%.c=$(FO)/obj/%.o) $(FO)/obj/auto.o
	rm -f $@ && ar rcs $@ $^

$(FO)/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FO)/libneoq.a
	$(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(FO)/libneoq.a $(LIBOWFAT)

fuzz-build: $(FUZZ_NAMES:%=$(FO)/%)

fuzz: deps fuzz-build
	sh tools/fuzz run $(FO) $(SECONDS) $(FUZZ_NAMES)

fuzz-merge: fuzz-build
	sh tools/fuzz merge $(FO) $(FUZZ_NAMES)

check: deps all units
	O=$(abspath $(O)) sh tests/run

check-asan: deps
	sh tools/check-asan $(abspath $(O))/asan

deps:
	@sh tools/deps

setup: deps all
	sh tools/setup $(O)

enable:
	sh tools/enable $(QMAILHOME)

mta-links:
	sh tools/mta-links $(QMAILHOME) install

mta-restore:
	sh tools/mta-links $(QMAILHOME) restore

sandbox: deps
	sh tools/mksandbox "$(DIR)" "$(PORT)"

start: deps
	sh tools/start "$(DIR)" "$(PORT)"

bench: deps all
	python3 tools/bench

fresh-test:
	sh tools/fresh-test $(abspath $(O))

clean:
	rm -rf build

FORCE:
.PHONY: all units check check-asan fuzz fuzz-build fuzz-merge deps setup enable mta-links mta-restore sandbox start bench fresh-test clean FORCE
.SECONDARY:

-include $(wildcard $(O)/obj/*.d $(FO)/obj/*.d $(FO)/*.d)
