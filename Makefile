# strclone: SVR4 STREAMS clone devices for Linux, as a Rust kernel module.
#
#   make run     build what is missing, boot the test kernel in QEMU, insmod
#                strclone, run the demo against /dev/clone-ptmx
#   make check   the whole test suite (what CI runs)
#   make check-kasan  the check suite on a clang-built KASAN kernel
#   make stress  long concurrency stress (STRESS_OPS, default 100000)
#   make fuzz    random-operation fuzzer (FUZZ_SECONDS, default 600; FUZZ_SEED)
#   make bench   benchmarks against native Linux on the perf kernel
#   make module  build strclone.ko (KDIR=<kernel build dir> to use your own)
#   make fmt     rustfmt the module sources
#   make lib     build the user library libstrclone (.a, .so, strclone.pc)
#   make install install libstrclone, strclone.pc, <linux/strclone.h> and
#                <stropts.h> under DESTDIR/PREFIX (default /usr/local)
#
# Tunables (environment): STRCLONE_CACHE (default ~/.cache/strclone),
# KDIR, JOBS, STRCLONE_BUILD (default ./build). make install: PREFIX,
# DESTDIR, LIBDIR, INCLUDEDIR, PKGCONFIGDIR.

BUILD := $(or $(STRCLONE_BUILD),$(CURDIR)/build)
PREFIX ?= /usr/local

.PHONY: all run check check-kasan stress fuzz bench module fmt bootstrap kernel lib install clean
all: module

run:
	@tools/pipeline.sh run
check:
	@tools/pipeline.sh check
check-kasan:
	@tools/pipeline.sh check-kasan
stress:
	@tools/pipeline.sh stress
fuzz:
	@tools/pipeline.sh fuzz
bench:
	@tools/pipeline.sh bench
module:
	@tools/pipeline.sh module
fmt:
	@tools/pipeline.sh fmt
bootstrap:
	@tools/pipeline.sh bootstrap
kernel:
	@tools/pipeline.sh kernel test
# The user library needs only the host's C compiler (no kernel, no bootstrap).
lib:
	@$(MAKE) -s -C tools/lib/strclone OUTPUT=$(BUILD)/lib PREFIX=$(PREFIX) all
install:
	@$(MAKE) -s -C tools/lib/strclone OUTPUT=$(BUILD)/lib PREFIX=$(PREFIX) install
clean:
	rm -rf build
