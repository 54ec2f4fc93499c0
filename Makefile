# kmem - the one build entry point.
#
#   make                 libkmem.a, libkmem.so.0, libkmem-malloc.so, kmem.pc and the
#                        tools in build/default/ (needs a C compiler, pkg-config, liburcu)
#   make check           build and run the Criterion suites, the install test (pkg-config
#                        and CMake), the header and man-page checks (also needs Criterion,
#                        g++, groff, man-db and cmake)
#   make demo            build and run examples/demo.c
#   make install         PREFIX=/usr/local DESTDIR= (LIBDIR, INCLUDEDIR, PKGCONFIGDIR,
#                        BINDIR, MANDIR, CMAKEDIR)
#   make bench           build and run the benchmarks in bench/ (BENCH_ARGS=--quick: smoke run)
#   make tools           tools/: kheap-tracegen, kheap-replay, kmemtop (also built by `make`)
#   make traces          generate the heap traces into build/<cfg>/traces/ and check their sums
#   make fragmentation   replay those traces under every heap fit policy, redraw the plot;
#                        TRACE=path replays that trace (e.g. from KMEM_TRACE) instead
#   make check SANITIZE=address,undefined   the same with sanitizers (build/san-*)
#   make valgrind        the test suites under valgrind
#   make shim-check      real programs (python3, gcc, git, sqlite3) on libkmem-malloc.so
#   make bench-shim      whole programs under glibc, kmem, jemalloc, mimalloc, tcmalloc
#   make bench-options   what each hardening and slab_debug option costs
#                        (BENCH_SCALE, BENCH_ROUNDS, BENCH_MEASURE=time|instructions)
#   make stress          threaded random-operation stress (STRESS_SECONDS, STRESS_THREADS)
#   make check-faults    suites, stress and shim programs under fault injection
#                        (CHECK_FAULTS=short: the quick version CI runs)
#   make FILTER='buddy/*' check             run a subset of the tests
#   make lint            clang-format, clang-tidy and cppcheck over the sources
#   make kernel-check    Linux 6.12's xarray, IDA, maple tree and VMA suites on kmem
#                        (KERNEL_SUITES="multiorder xarray idr-test": a subset)

comma := ,
VERSION_MAJOR := $(shell sed -n 's/^\#define KMEM_VERSION_MAJOR //p' include/kmem/version.h)
VERSION_MINOR := $(shell sed -n 's/^\#define KMEM_VERSION_MINOR //p' include/kmem/version.h)
VERSION_PATCH := $(shell sed -n 's/^\#define KMEM_VERSION_PATCH //p' include/kmem/version.h)
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CMAKEDIR ?= $(LIBDIR)/cmake/kmem
DESTDIR ?=

CC ?= cc
CFLAGS ?= -O2 -g
SANITIZE ?=
FILTER ?=
BUILD ?= build/$(if $(SANITIZE),san-$(subst $(comma),-,$(SANITIZE)),default)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Evaluated lazily, after `deps` (or `check-deps` for Criterion) has installed
# pkg-config and the libraries.
URCU_CFLAGS = $(shell pkg-config --cflags liburcu)
URCU_LIBS = $(shell pkg-config --libs liburcu)
CRITERION_CFLAGS = $(shell pkg-config --cflags criterion)
CRITERION_LIBS = $(shell pkg-config --libs criterion)

SAN_FLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
KMEM_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
	-fPIC -fvisibility=hidden -fno-strict-aliasing -D_GNU_SOURCE -Iinclude -I. \
	$(URCU_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
# Programs on kmem's API (examples, test programs): no Criterion.
PROG_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -I. \
	$(URCU_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
TEST_CFLAGS = $(PROG_CFLAGS) $(CRITERION_CFLAGS) -DKMEM_BUILD_DIR='"$(abspath $(BUILD))"'
# The suites misuse the API on purpose (double frees, foreign and interior
# pointers, reads of poisoned free objects) to test kmem's reports, which is
# what the headers' KMEM_DEALLOC attributes teach gcc to flag.  (gcc ignores
# the first flag, clang needs it for the gcc-only ones.)
SUITE_CFLAGS = $(TEST_CFLAGS) -Wno-unknown-warning-option -Wno-use-after-free \
	-Wno-free-nonheap-object -Wno-mismatched-dealloc
LIBS = $(URCU_LIBS) -lpthread

LIB_SRCS := $(sort $(wildcard lib/*.c page/*.c slab/*.c mm/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
# test/*/target_*.c are programs the suites run as child processes.
TEST_SRCS := $(sort $(filter-out test/stress/% test/shim/% test/headers/% test/link/% \
	test/%/target_stats.c test/%/target_tools.c,$(wildcard test/*.c test/*/*.c)))
STRESS_SRCS := $(sort $(wildcard test/stress/*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/obj/%.o)
HEADERS := $(sort $(wildcard include/kmem/*.h))
# The kernel's own header names, for kernel code built on kmem.
COMPAT_HEADERS := $(sort $(wildcard include/kmem/linux/*.h))

STATIC_LIB := $(BUILD)/libkmem.a
SONAME := libkmem.so.$(VERSION_MAJOR)
SHARED_LIB := $(BUILD)/libkmem.so.$(VERSION)
PC_FILE := $(BUILD)/kmem.pc
TEST_BIN := $(BUILD)/kmem-tests
SHIM_LIB := $(BUILD)/libkmem-malloc.so
SHIM_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard mm/shim/*.c)))
SHIM_TEST_BIN := $(BUILD)/kmem-shim-tests
SHIM_TEST_SRCS := $(sort $(wildcard test/shim/test_*.c)) test/run.c
DEMO_BIN := $(BUILD)/demo
STRESS_BIN := $(BUILD)/stress
STRESS_SECONDS ?= 10
STRESS_THREADS ?= 4
STAGE := $(abspath $(BUILD)/stage)

# shim-check: real programs under LD_PRELOAD=libkmem-malloc.so
.PHONY: shim-check all deps check-deps check demo install uninstall clean bench valgrind \
	install-check man-check stress lint header-check cxx-check link-check kernel-check
.DEFAULT_GOAL := all

all: $(STATIC_LIB) $(SHARED_LIB) $(PC_FILE) $(SHIM_LIB)

# Building needs a C compiler, pkg-config and liburcu; only `make check` needs more.
deps:
	$(Q)sh tools/install-deps.sh

check-deps: deps
	$(Q)sh tools/install-deps.sh --check

$(BUILD)/obj/test/%.o: test/%.c $(HEADERS) $(wildcard */*.h) | check-deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(SUITE_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c $(HEADERS) $(wildcard */*.h) | deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KMEM_CFLAGS) -c $< -o $@

# A program may define a function of the API for itself (kfree, ...): kmem's
# own calls must still reach kmem.  libkmem.a is one prelinked object whose
# internal references are bound inside it (see tools/static-lib.sh);
# libkmem.so binds them with -Bsymbolic-functions.
$(STATIC_LIB): $(LIB_OBJS) tools/static-lib.sh
	@$(if $(Q),echo "  AR      $@")
	$(Q)CC="$(CC)" sh tools/static-lib.sh $@ $(LIB_OBJS)

$(SHARED_LIB): $(LIB_OBJS) kmem.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=kmem.map -Wl,-z,defs \
		-Wl,-Bsymbolic-functions $(SAN_FLAGS) $(LDFLAGS) -o $@ $(LIB_OBJS) $(LIBS)
	$(Q)ln -sf libkmem.so.$(VERSION) $(BUILD)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(BUILD)/libkmem.so

# The malloc shim: every layer plus mm/shim, exporting only the C API.
$(SHIM_LIB): $(LIB_OBJS) $(SHIM_OBJS) mm/shim/malloc.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,libkmem-malloc.so -Wl,--version-script=mm/shim/malloc.map \
		-Wl,-z,defs $(SAN_FLAGS) $(LDFLAGS) -o $@ $(LIB_OBJS) $(SHIM_OBJS) $(LIBS)

# The shim's own suite runs with the shim as the process's malloc.
$(SHIM_TEST_BIN): $(SHIM_TEST_SRCS) $(SHIM_LIB) test/run.h | check-deps
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(SHIM_TEST_SRCS) -L$(BUILD) -l:libkmem-malloc.so \
		-Wl,-rpath,$(abspath $(BUILD)) $(CRITERION_LIBS) -lpthread

$(BUILD)/fork_threads: test/shim/fork_threads.c | deps
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $< -lpthread

shim-check: $(SHIM_LIB) $(BUILD)/fork_threads
	$(Q)sh tools/install-deps.sh python3 gcc git sqlite3
	$(Q)bash tools/shim-check.sh $(SHIM_LIB) $(BUILD)

$(PC_FILE): kmem.pc.in include/kmem/version.h
	@mkdir -p $(dir $@)
	$(Q)$(SUBST_PATHS) $< > $@

# The suites look inside the layers too: they link the objects, not libkmem.a.
$(TEST_BIN): $(TEST_OBJS) $(LIB_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $(TEST_OBJS) $(LIB_OBJS) $(CRITERION_LIBS) $(LIBS)

# Bugs for valgrind and ASan to find in kmem's objects (test/slab/test_tools.c).
$(BUILD)/target_tools: test/slab/target_tools.c $(STATIC_LIB) | deps
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $< $(STATIC_LIB) $(LIBS)

$(DEMO_BIN): examples/demo.c $(STATIC_LIB)
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $< $(STATIC_LIB) $(LIBS)

$(STRESS_BIN): $(STRESS_SRCS) lib/prandom.h $(STATIC_LIB)
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $(STRESS_SRCS) $(STATIC_LIB) $(LIBS)

# Random-operation stress with a shadow model, bounded in time.
stress: $(STRESS_BIN)
	$(Q)$(STRESS_BIN) $(STRESS_SECONDS) $(STRESS_THREADS)

# Every Nth allocation fails (KMEM_FAIL_PAGE_ALLOC, KMEM_FAIL_SLAB) under the
# suites, the stress program and the shim programs; see
# Documentation/fault-injection.rst.
CHECK_FAULTS ?= full
.PHONY: check-faults
check-faults: $(TEST_BIN) $(STRESS_BIN) $(SHIM_LIB) $(BUILD)/fork_threads
	$(Q)sh tools/install-deps.sh python3 gcc git sqlite3
	$(Q)bash tools/check-faults.sh $(BUILD) $(CHECK_FAULTS)

demo: $(DEMO_BIN)
	$(Q)$(DEMO_BIN)

# Install into a staging prefix and build programs against it as a user would:
# with pkg-config, and with CMake's find_package(kmem) (shared and static).
install-check: all | check-deps
	$(Q)rm -rf $(STAGE) $(BUILD)/cmake-check
	$(Q)$(MAKE) --no-print-directory install PREFIX=$(STAGE) SANITIZE=$(SANITIZE) >/dev/null
	$(Q)PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig sh -c '$(CC) $(SAN_FLAGS) -o $(BUILD)/pkgconfig-test \
		examples/pkgconfig-test.c $$(pkg-config --cflags --libs kmem) -Wl,-rpath,$(STAGE)/lib'
	$(Q)$(BUILD)/pkgconfig-test
	$(Q)cmake -S examples/cmake -B $(BUILD)/cmake-check -DCMAKE_PREFIX_PATH=$(STAGE) \
		-DCMAKE_C_COMPILER=$(CC) -DCMAKE_C_FLAGS='$(SAN_FLAGS)' >$(BUILD)/cmake-check.log 2>&1 \
		|| { cat $(BUILD)/cmake-check.log; exit 1; }
	$(Q)cmake --build $(BUILD)/cmake-check >>$(BUILD)/cmake-check.log 2>&1 \
		|| { cat $(BUILD)/cmake-check.log; exit 1; }
	$(Q)$(BUILD)/cmake-check/kmem-cmake-shared && $(BUILD)/cmake-check/kmem-cmake-static
	$(Q)for tool in $(notdir $(TOOL_BINS)); do test -x $(STAGE)/bin/$$tool || \
		{ echo "install: $(STAGE)/bin/$$tool missing"; exit 1; }; done
	$(Q)for page in $(notdir $(MAN_PAGES)); do \
		test -f $(STAGE)/share/man/man$${page##*.}/$$page || \
		{ echo "install: man page $$page missing"; exit 1; }; done

# Every man page renders without a groff or man warning.
MAN_PAGES := $(sort $(wildcard Documentation/man/*.[137]))
man-check: | check-deps
	$(Q)for page in $(MAN_PAGES); do \
		out=$$( { groff -man -ww -z $$page; \
			LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 $$page >/dev/null; \
			} 2>&1 ); \
		[ -z "$$out" ] || { echo "$$page:"; echo "$$out"; exit 1; }; \
	done
	@echo "man pages: $(words $(MAN_PAGES)) render without warnings"

# The sanitizers bring their own malloc, so the shim's suite runs only in
# plain builds.
SHIM_CHECK := $(if $(SANITIZE),,$(SHIM_TEST_BIN) $(BUILD)/target_trace)

# A program run on the shim by the KMEM_TRACE test.
$(BUILD)/target_trace: test/shim/target_trace.c $(SHIM_LIB) | deps
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $< -L$(BUILD) -l:libkmem-malloc.so \
		-Wl,-rpath,$(abspath $(BUILD))

# Programs the suites run as child processes (kmemtop, the statistics dump).
TEST_PROGS := $(BUILD)/tools/kmemtop $(BUILD)/target_stats $(BUILD)/tools/kheap-replay \
	$(BUILD)/target_tools

$(BUILD)/target_stats: test/stats/target_stats.c $(SHARED_LIB) | deps
	$(Q)$(CC) $(PROG_CFLAGS) -o $@ $< -L$(BUILD) -l:libkmem.so.$(VERSION) \
		-Wl,-rpath,$(abspath $(BUILD)) $(LIBS)

check: $(TEST_BIN) $(SHIM_CHECK) $(TEST_PROGS) install-check man-check traces header-check \
	cxx-check link-check
	$(if $(SHIM_CHECK),$(Q)$(SHIM_TEST_BIN) $(if $(FILTER),--filter '$(FILTER)'))
	$(Q)LSAN_OPTIONS=suppressions=$(abspath test/lsan.supp):print_suppressions=0 $(TEST_BIN) \
		$(if $(FILTER),--filter '$(FILTER)') --tap=$(BUILD)/test-results.tap

# ---- the public headers and the libraries as a program sees them ----------------
# Built like a user's program: only include/ on the path, no _GNU_SOURCE.
USER_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Iinclude $(URCU_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
CXXFLAGS ?= -O2 -g
HEADER_NAMES := $(notdir $(HEADERS))
URCU_LAST_BINS := $(HEADER_NAMES:%.h=$(BUILD)/headers/urcu-last-%)
KERNEL_FIRST_BINS := $(addprefix $(BUILD)/headers/kernel-first-,UAPI_TYPES KERNEL_HEADERS TOOLS_HEADERS)

# Each public header alone (C11, C++11, C++20; its macros against
# test/headers/macros.allow); each before <urcu.h>; all after the kernel's
# own headers (and a wrong kernel flag value refused); the dealloc attributes.
header-check: $(URCU_LAST_BINS) $(KERNEL_FIRST_BINS) | deps
	$(Q)sh tools/install-deps.sh g++
	$(Q)sh test/headers/namespace.sh "$(CC)" "$(CXX)" include test/headers/macros.allow $(HEADERS)
	$(Q)for t in $(URCU_LAST_BINS) $(KERNEL_FIRST_BINS); do $$t || { echo "$$t failed" >&2; exit 1; }; done
	$(Q)if $(CC) $(USER_CFLAGS) -DKERNEL_HEADERS -DKERNEL_GFP_ZERO=0x200u -fsyntax-only \
		test/headers/kernel_first.c 2>$(BUILD)/headers/wrong-gfp.log; then \
		echo "a kernel __GFP_ZERO of the wrong value was accepted" >&2; exit 1; fi
	$(Q)grep -q "__GFP_ZERO is not the value kmem knows" $(BUILD)/headers/wrong-gfp.log
	$(Q)sh test/headers/dealloc.sh $(CC) $(filter-out -Werror,$(USER_CFLAGS))
	@echo "headers: $(words $(HEADERS)) headers alone, namespace, <urcu.h> last, kernel first, dealloc: ok"

$(BUILD)/headers/urcu-last-%: test/headers/urcu_last.c $(HEADERS) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) '-DKMEM_HEADER=<kmem/$*.h>' -o $@ $< $(STATIC_LIB) $(LIBS)

$(BUILD)/headers/kernel-first-%: test/headers/kernel_first.c $(HEADERS) $(STATIC_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -D$* -o $@ $< $(STATIC_LIB) $(LIBS)

# A C++11 program on the page, slab and kmalloc APIs.
CXX_TEST_BIN := $(BUILD)/cxx-api
cxx-check: $(CXX_TEST_BIN)
	$(Q)$(CXX_TEST_BIN)
	@echo "c++: pages, caches (both kmem_cache_create forms, KMEM_CACHE), kmalloc, _node, kfree_rcu: ok"

$(CXX_TEST_BIN): test/cxx/api.cpp $(HEADERS) $(STATIC_LIB) | deps
	$(Q)sh tools/install-deps.sh g++
	@$(if $(Q),echo "  CXX     $<")
	$(Q)$(CXX) -std=c++11 -Wall -Wextra -Werror -pedantic -Iinclude $(URCU_CFLAGS) $(SAN_FLAGS) \
		$(CXXFLAGS) -o $@ $< $(STATIC_LIB) $(LIBS)

# libkmem.so exports what the headers declare; a program with its own kfree(),
# against libkmem.so and libkmem.a.
INTERPOSE_BINS := $(BUILD)/interpose-shared $(BUILD)/interpose-static
link-check: $(INTERPOSE_BINS)
	$(Q)sh test/link/exports.sh $(SHARED_LIB) $(HEADERS)
	$(Q)for t in $(INTERPOSE_BINS); do $$t || { echo "$$t failed" >&2; exit 1; }; done
	@echo "link: exports, and a program's own kfree() captures none of kmem's calls: ok"

$(BUILD)/interpose-shared: test/link/interpose.c $(SHARED_LIB)
	$(Q)$(CC) $(USER_CFLAGS) -o $@ $< -L$(BUILD) -lkmem -Wl,-rpath,$(abspath $(BUILD)) $(LIBS)

$(BUILD)/interpose-static: test/link/interpose.c $(STATIC_LIB)
	$(Q)$(CC) $(USER_CFLAGS) -o $@ $< $(STATIC_LIB) $(LIBS)

# ---- the kernel's own test suites on kmem (Documentation/kernel-compat.rst) ----
# libkmem-ktest: the kernel harness's slab hooks and counters on kmem.
KTEST_LIB := $(BUILD)/libkmem-ktest.a
KERNEL_SUITES ?= multiorder xarray idr-test maple main vma
# harness: the same suites on the harness's own malloc-based stand-in.
KERNEL_SHIM ?= kmem
all: $(KTEST_LIB)

$(KTEST_LIB): ktest/ktest.c $(HEADERS) | deps
	@mkdir -p $(BUILD)/obj/ktest
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(CC) $(USER_CFLAGS) -Wmissing-prototypes -fPIC -c $< -o $(BUILD)/obj/ktest/ktest.o
	$(Q)rm -f $@ && ar rcs $@ $(BUILD)/obj/ktest/ktest.o

kernel-check: $(STATIC_LIB) $(KTEST_LIB)
	+$(Q)CC="$(CC)" SAN_FLAGS="$(SAN_FLAGS)" URCU_CFLAGS="$(URCU_CFLAGS)" URCU_LIBS="$(URCU_LIBS)" \
		bash tools/kernel-check.sh $(BUILD) "$(KERNEL_SUITES)" $(KERNEL_SHIM)

valgrind: $(TEST_BIN) $(TEST_PROGS)
	$(Q)valgrind --error-exitcode=1 --trace-children=yes --fair-sched=yes --quiet \
		$(TEST_BIN) --jobs 1 $(if $(FILTER),--filter '$(FILTER)')

# The peers are optional: a benchmark leaves out any that is not installed.
bench: all
	-$(Q)sh tools/install-deps.sh libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4
	$(Q)$(MAKE) --no-print-directory -C bench BUILD=$(abspath $(BUILD))

# kmem.pc and the CMake package files name the installed paths.
SUBST_PATHS = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	-e 's|@SONAME@|$(SONAME)|'
CMAKE_FILES := kmemConfig.cmake kmemConfigVersion.cmake

install: all
	install -d $(DESTDIR)$(INCLUDEDIR)/kmem $(DESTDIR)$(INCLUDEDIR)/kmem/linux $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(CMAKEDIR)
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/kmem/
	install -m 644 $(COMPAT_HEADERS) $(DESTDIR)$(INCLUDEDIR)/kmem/linux/
	install -m 644 $(STATIC_LIB) $(KTEST_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_LIB) $(SHIM_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libkmem.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libkmem.so
	$(SUBST_PATHS) kmem.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/kmem.pc
	for f in $(CMAKE_FILES); do $(SUBST_PATHS) cmake/$$f.in > $(DESTDIR)$(CMAKEDIR)/$$f; done
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)/
	for page in $(notdir $(MAN_PAGES)); do install -D -m 644 Documentation/man/$$page \
		$(DESTDIR)$(MANDIR)/man$${page##*.}/$$page || exit 1; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/kmem/,$(notdir $(HEADERS)))
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/kmem/linux/,$(notdir $(COMPAT_HEADERS)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/kmem/linux
	-rmdir $(DESTDIR)$(INCLUDEDIR)/kmem
	rm -f $(DESTDIR)$(LIBDIR)/libkmem.a $(DESTDIR)$(LIBDIR)/libkmem.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libkmem.so \
		$(DESTDIR)$(LIBDIR)/libkmem-malloc.so $(DESTDIR)$(LIBDIR)/libkmem-ktest.a \
		$(DESTDIR)$(PKGCONFIGDIR)/kmem.pc
	rm -f $(addprefix $(DESTDIR)$(CMAKEDIR)/,$(CMAKE_FILES))
	-rmdir $(DESTDIR)$(CMAKEDIR)
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(TOOL_BINS)))
	for page in $(notdir $(MAN_PAGES)); do rm -f $(DESTDIR)$(MANDIR)/man$${page##*.}/$$page; done

FORMATTED := $(sort $(wildcard include/kmem/*.h include/kmem/linux/*.h ktest/*.c lib/*.[ch] page/*.[ch] slab/*.[ch] mm/*.[ch] test/*.[ch] \
	test/*/*.c test/cxx/*.cpp examples/*.c bench/*.[ch] tools/*.c mm/shim/*.[ch]))

# Any clang-tidy or cppcheck finding fails: fix it, or suppress that one line
# with a NOLINT / cppcheck-suppress comment that gives the reason.
LINTED := $(LIB_SRCS) $(sort $(wildcard mm/shim/*.c))
lint:
	$(Q)clang-format --dry-run -Werror $(FORMATTED)
	$(Q)clang-tidy --quiet --warnings-as-errors='*' $(LINTED) -- -std=gnu11 -D_GNU_SOURCE \
		-Iinclude -I. $(URCU_CFLAGS)
	$(Q)cppcheck --quiet --inline-suppr --error-exitcode=1 --enable=warning,performance,portability \
		--std=c11 -D_GNU_SOURCE -Iinclude -I. $(LINTED)

clean:
	rm -rf build

# Command-line tools (tools/*.c): the heap trace generator and replayer.
TOOL_SRCS := $(sort $(wildcard tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tools/%.c=$(BUILD)/tools/%)
.PHONY: tools traces fragmentation
all: $(TOOL_BINS)
tools: $(TOOL_BINS)

$(BUILD)/tools/%: tools/%.c lib/prandom.h lib/stats_signal.h $(STATIC_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -I. $(SAN_FLAGS) $(CFLAGS) \
		-o $@ $< $(STATIC_LIB) $(LIBS)

# The heap traces of Documentation/heap.rst, generated rather than shipped:
# kheap-tracegen is deterministic in its seed on every machine, and
# tools/traces.sha256 holds the sums of the traces the documented figures
# come from.
HEAP_TRACE_NAMES := bimodal pareto phases uniform
HEAP_TRACE_OPS := 20000
HEAP_TRACE_SEED := 42
HEAP_TRACES := $(HEAP_TRACE_NAMES:%=$(BUILD)/traces/%.trace)
HEAP_TRACES_CHECKED := $(BUILD)/traces/checked

$(BUILD)/traces/%.trace: $(BUILD)/tools/kheap-tracegen
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GEN     $@")
	$(Q)$< $* $(HEAP_TRACE_OPS) $(HEAP_TRACE_SEED) > $@.tmp && mv $@.tmp $@

$(HEAP_TRACES_CHECKED): $(HEAP_TRACES) tools/traces.sha256
	$(Q)cd $(dir $@) && sha256sum --quiet --strict -c $(abspath tools/traces.sha256) || { \
		echo "kmem: the traces in $(dir $@) differ from tools/traces.sha256." >&2; \
		echo "kmem: if tools/kheap-tracegen.c or lib/prandom.h changed them on purpose, record" >&2; \
		echo "kmem: the new sums with (cd $(dir $@) && sha256sum *.trace) > tools/traces.sha256" >&2; \
		echo "kmem: and rerun make fragmentation for Documentation/heap.rst." >&2; \
		exit 1; }
	$(Q)touch $@

traces: $(HEAP_TRACES_CHECKED)

# Replay the generated traces under every fit policy and redraw the plot in
# Documentation/; with TRACE=path (a program's KMEM_TRACE output) replay that
# trace instead, plotted to $(BUILD)/fragmentation.svg.
TRACE ?=
FRAGMENTATION_PLOT := $(if $(TRACE),$(BUILD)/fragmentation.svg,Documentation/heap-fragmentation.svg)
fragmentation: $(BUILD)/tools/kheap-replay $(if $(TRACE),,$(HEAP_TRACES_CHECKED))
	$(Q)sh tools/install-deps.sh gnuplot-nox
	$(Q)mkdir -p $(BUILD)/replay
	$(Q)$(BUILD)/tools/kheap-replay -p $(FRAGMENTATION_PLOT) -d $(BUILD)/replay \
		$(if $(TRACE),$(TRACE),$(HEAP_TRACES))

# bench_slab and bench_kmalloc, kmem alone, once per hardening/slab_debug setting.
.PHONY: bench-options
BENCH_SCALE ?= 0.2
BENCH_ROUNDS ?= 3
BENCH_MEASURE ?= time
bench-options: all
	$(Q)$(MAKE) --no-print-directory -C bench BUILD=$(abspath $(BUILD)) build
	$(Q)bash tools/bench-options.sh $(BUILD) $(BENCH_SCALE) $(BENCH_ROUNDS) $(BENCH_MEASURE)

# Whole programs (bench/shim/) under each malloc: time and peak RSS, table and chart.
.PHONY: bench-shim
FORMATTED += $(wildcard bench/shim/*.[ch])
bench-shim: $(SHIM_LIB)
	$(Q)$(MAKE) --no-print-directory -C bench BUILD=$(abspath $(BUILD)) shim-build
	$(Q)python3 bench/shim/run.py --build $(BUILD) --chart Documentation/malloc-shim-bench.svg
