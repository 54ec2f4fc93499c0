# kmem - the one build entry point.
#
#   make                 libkmem.a, libkmem.so.0 and kmem.pc in build/default/
#   make check           build and run the Criterion suites (and the pkg-config test)
#   make demo            build and run examples/demo.c
#   make install         PREFIX=/usr/local DESTDIR= (LIBDIR, INCLUDEDIR, PKGCONFIGDIR)
#   make bench           build and run the benchmarks in bench/
#   make tools           tools/: kheap-tracegen, kheap-replay (also built by `make`)
#   make fragmentation   replay tools/traces/ under every heap fit policy, redraw the plot
#   make check SANITIZE=address,undefined   the same with sanitizers (build/san-*)
#   make valgrind        the test suites under valgrind
#   make shim-check      real programs (python3, gcc, git, sqlite3) on libkmem-malloc.so
#   make bench-shim      whole programs under glibc, kmem, jemalloc, mimalloc, tcmalloc
#   make stress          threaded random-operation stress (STRESS_SECONDS, STRESS_THREADS)
#   make FILTER='buddy/*' check             run a subset of the tests
#   make lint            clang-format, clang-tidy and cppcheck over the sources

comma := ,
VERSION_MAJOR := $(shell sed -n 's/^\#define KMEM_VERSION_MAJOR //p' include/kmem/version.h)
VERSION_MINOR := $(shell sed -n 's/^\#define KMEM_VERSION_MINOR //p' include/kmem/version.h)
VERSION_PATCH := $(shell sed -n 's/^\#define KMEM_VERSION_PATCH //p' include/kmem/version.h)
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
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

# Evaluated lazily, after `deps` has installed pkg-config and the libraries.
URCU_CFLAGS = $(shell pkg-config --cflags liburcu)
URCU_LIBS = $(shell pkg-config --libs liburcu)
CRITERION_CFLAGS = $(shell pkg-config --cflags criterion)
CRITERION_LIBS = $(shell pkg-config --libs criterion)

SAN_FLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
KMEM_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
	-fPIC -fvisibility=hidden -fno-strict-aliasing -D_GNU_SOURCE -Iinclude -I. \
	$(URCU_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
TEST_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -I. \
	$(URCU_CFLAGS) $(CRITERION_CFLAGS) $(SAN_FLAGS) $(CFLAGS)
LIBS = $(URCU_LIBS) -lpthread

LIB_SRCS := $(sort $(wildcard lib/*.c page/*.c slab/*.c mm/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_SRCS := $(sort $(filter-out test/stress/% test/shim/% test/tools/%,$(wildcard test/*.c test/*/*.c)))
STRESS_SRCS := $(sort $(wildcard test/stress/*.c))
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/obj/%.o)
HEADERS := $(sort $(wildcard include/kmem/*.h))

STATIC_LIB := $(BUILD)/libkmem.a
SONAME := libkmem.so.$(VERSION_MAJOR)
SHARED_LIB := $(BUILD)/libkmem.so.$(VERSION)
PC_FILE := $(BUILD)/kmem.pc
TEST_BIN := $(BUILD)/kmem-tests
SHIM_LIB := $(BUILD)/libkmem-malloc.so
SHIM_OBJS := $(BUILD)/obj/mm/shim/malloc.o
SHIM_TEST_BIN := $(BUILD)/kmem-shim-tests
SHIM_TEST_SRCS := test/shim/test_malloc.c
DEMO_BIN := $(BUILD)/demo
# Bugs for valgrind and ASan to find in kmem's objects (test/slab/test_tools.c).
TOOL_TARGET := $(BUILD)/tool-target
STRESS_BIN := $(BUILD)/stress
STRESS_SECONDS ?= 10
STRESS_THREADS ?= 4
STAGE := $(abspath $(BUILD)/stage)

# shim-check: real programs under LD_PRELOAD=libkmem-malloc.so
.PHONY: shim-check all deps check demo install uninstall clean bench valgrind install-check stress lint
.DEFAULT_GOAL := all

all: $(STATIC_LIB) $(SHARED_LIB) $(PC_FILE) $(SHIM_LIB)

deps:
	$(Q)sh tools/install-deps.sh

$(BUILD)/obj/%.o: %.c $(HEADERS) $(wildcard */*.h) | deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(if $(filter test/%,$<),$(TEST_CFLAGS),$(KMEM_CFLAGS)) -c $< -o $@

$(STATIC_LIB): $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJS) kmem.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=kmem.map -Wl,-z,defs \
		$(SAN_FLAGS) $(LDFLAGS) -o $@ $(LIB_OBJS) $(LIBS)
	$(Q)ln -sf libkmem.so.$(VERSION) $(BUILD)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(BUILD)/libkmem.so

# The malloc shim: every layer plus mm/shim, exporting only the C API.
$(SHIM_LIB): $(LIB_OBJS) $(SHIM_OBJS) mm/shim/malloc.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -Wl,-soname,libkmem-malloc.so -Wl,--version-script=mm/shim/malloc.map \
		-Wl,-z,defs $(SAN_FLAGS) $(LDFLAGS) -o $@ $(LIB_OBJS) $(SHIM_OBJS) $(LIBS)

# The shim's own suite runs with the shim as the process's malloc.
$(SHIM_TEST_BIN): $(SHIM_TEST_SRCS) $(SHIM_LIB) test/helpers.h
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(SHIM_TEST_SRCS) -L$(BUILD) -l:libkmem-malloc.so \
		-Wl,-rpath,$(abspath $(BUILD)) $(CRITERION_LIBS) -lpthread

$(BUILD)/fork_threads: test/shim/fork_threads.c
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< -lpthread

shim-check: $(SHIM_LIB) $(BUILD)/fork_threads
	$(Q)sh tools/install-deps.sh python3 gcc git sqlite3
	$(Q)bash tools/shim-check.sh $(SHIM_LIB) $(BUILD)

$(PC_FILE): kmem.pc.in include/kmem/version.h
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

$(TEST_BIN): $(TEST_OBJS) $(STATIC_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $(TEST_OBJS) $(STATIC_LIB) $(CRITERION_LIBS) $(LIBS)

$(TOOL_TARGET): test/tools/target.c $(STATIC_LIB)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< $(STATIC_LIB) $(LIBS)

$(DEMO_BIN): examples/demo.c $(STATIC_LIB)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< $(STATIC_LIB) $(LIBS)

$(STRESS_BIN): $(STRESS_SRCS) $(STATIC_LIB)
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $(STRESS_SRCS) $(STATIC_LIB) $(LIBS)

# Random-operation stress with a shadow model, bounded in time.
stress: $(STRESS_BIN)
	$(Q)$(STRESS_BIN) $(STRESS_SECONDS) $(STRESS_THREADS)

demo: $(DEMO_BIN)
	$(Q)$(DEMO_BIN)

# Install into a staging prefix and build a program with pkg-config, as a user would.
install-check: all
	$(Q)rm -rf $(STAGE)
	$(Q)$(MAKE) --no-print-directory install PREFIX=$(STAGE) SANITIZE=$(SANITIZE) >/dev/null
	$(Q)PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig sh -c '$(CC) $(SAN_FLAGS) -o $(BUILD)/pkgconfig-test \
		examples/pkgconfig-test.c $$(pkg-config --cflags --libs kmem) -Wl,-rpath,$(STAGE)/lib'
	$(Q)$(BUILD)/pkgconfig-test

# The sanitizers bring their own malloc, so the shim's suite runs only in
# plain builds.
SHIM_CHECK := $(if $(SANITIZE),,$(SHIM_TEST_BIN))

check: $(TEST_BIN) $(SHIM_CHECK) $(TOOL_TARGET) install-check
	$(if $(SHIM_CHECK),$(Q)$(SHIM_TEST_BIN) $(if $(FILTER),--filter '$(FILTER)'))
	$(Q)LSAN_OPTIONS=suppressions=$(abspath test/lsan.supp):print_suppressions=0 $(TEST_BIN) \
		$(if $(FILTER),--filter '$(FILTER)') --tap=$(BUILD)/test-results.tap

valgrind: $(TEST_BIN)
	$(Q)valgrind --error-exitcode=1 --trace-children=yes --quiet \
		$(TEST_BIN) --jobs 1 $(if $(FILTER),--filter '$(FILTER)')

bench: all
	$(Q)$(MAKE) --no-print-directory -C bench BUILD=$(abspath $(BUILD))

install: all
	install -d $(DESTDIR)$(INCLUDEDIR)/kmem $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/kmem/
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_LIB) $(SHIM_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libkmem.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libkmem.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		kmem.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/kmem.pc

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/kmem/,$(notdir $(HEADERS)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/kmem
	rm -f $(DESTDIR)$(LIBDIR)/libkmem.a $(DESTDIR)$(LIBDIR)/libkmem.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libkmem.so \
		$(DESTDIR)$(LIBDIR)/libkmem-malloc.so \
		$(DESTDIR)$(PKGCONFIGDIR)/kmem.pc

FORMATTED := $(sort $(wildcard include/kmem/*.h lib/*.[ch] page/*.[ch] slab/*.[ch] mm/*.[ch] test/*.[ch] \
	test/*/*.c examples/*.c bench/*.[ch] tools/*.c mm/shim/*.c))

lint:
	$(Q)clang-format --dry-run -Werror $(FORMATTED)
	$(Q)clang-tidy --quiet $(LIB_SRCS) -- -std=gnu11 -D_GNU_SOURCE -Iinclude -I. $(URCU_CFLAGS)
	$(Q)cppcheck --quiet --inline-suppr --error-exitcode=1 --enable=warning,performance,portability \
		--std=c11 -D_GNU_SOURCE -Iinclude -I. $(LIB_SRCS)

clean:
	rm -rf build

# Command-line tools (tools/*.c): the heap trace generator and replayer.
TOOL_SRCS := $(sort $(wildcard tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tools/%.c=$(BUILD)/tools/%)
HEAP_TRACES := $(sort $(wildcard tools/traces/*.trace))
.PHONY: tools fragmentation
all: $(TOOL_BINS)
tools: $(TOOL_BINS)

$(BUILD)/tools/%: tools/%.c $(STATIC_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude $(SAN_FLAGS) $(CFLAGS) \
		-o $@ $< $(STATIC_LIB) $(LIBS) -lm

# Replay the shipped traces under every fit policy; redraw the plot in Documentation/.
fragmentation: $(BUILD)/tools/kheap-replay
	$(Q)mkdir -p $(BUILD)/replay
	$(Q)$(BUILD)/tools/kheap-replay -p Documentation/heap-fragmentation.svg -d $(BUILD)/replay \
		$(HEAP_TRACES)

# Whole programs (bench/shim/) under each malloc: time and peak RSS, table and chart.
.PHONY: bench-shim
FORMATTED += $(wildcard bench/shim/*.[ch])
bench-shim: $(SHIM_LIB)
	$(Q)$(MAKE) --no-print-directory -C bench BUILD=$(abspath $(BUILD)) shim-build
	$(Q)python3 bench/shim/run.py --build $(BUILD) --chart Documentation/malloc-shim-bench.svg
