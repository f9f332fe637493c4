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
#
# Tunables (environment): STRCLONE_CACHE (default ~/.cache/strclone),
# KDIR, JOBS, STRCLONE_BUILD (default ./build).

.PHONY: all run check check-kasan stress fuzz bench module fmt bootstrap kernel clean
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
clean:
	rm -rf build
