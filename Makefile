# Thin wrapper: `make test` and `make run` install what is missing, build, and go.
BUILD      ?= build
BUILD_SAN  ?= build-sanitize
JOBS       ?= $(shell nproc)

PREFIX     ?= /usr/local
DESTDIR    ?=

.PHONY: all deps deps-run build build-only build-sanitize test test-plain test-sanitize run bench fuzz faults check-builds clean \
        format install deb

all: build

# What building and serving need (make run, install, deb); `deps` adds what only the tests
# and benchmarks use (chromium, clang, wrk, beanstalkd, the packaging tools...).
deps-run:
	@bash .ci/install-deps run

deps:
	@bash .ci/install-deps test

build: deps
	$(MAKE) --no-print-directory build-only

build-only:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-sanitize: deps
	cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DTP_ASAN=ON -DTP_UBSAN=ON >/dev/null
	cmake --build $(BUILD_SAN) -j $(JOBS)

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: build-sanitize
	cd $(BUILD_SAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# Every test, once plain and once under AddressSanitizer + UndefinedBehaviorSanitizer.
test: test-plain test-sanitize

# The other build types and compiler build clean too (-Werror): gcc Release, clang Release.
check-builds: deps
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build-release -j $(JOBS)
	CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build-clang -j $(JOBS)

run: deps-run
	$(MAKE) --no-print-directory build-only
	bash conf/run-local.sh $(BUILD)

bench: build
	bash tests/bench/run.sh $(BUILD)

fuzz: deps
	CC=clang cmake -S . -B build-fuzz -DTP_FUZZ=ON -DTP_WITH_SERVER=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	bash tests/fuzz/run.sh build-fuzz $${FUZZ_SECONDS:-60}

# The fault campaign at full scale (tests/faults/fault_suite.py); ctest runs it small.
faults: build
	python3 tests/faults/fault_suite.py $(BUILD) $(BUILD)/faults-full --scale full

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# cmake --install of a tree configured with PREFIX: bin/trackport, bin/trackportctl,
# lib/trackport/{trackport-fcgi,trackport-dispatcher}, share/trackport/www, the man pages,
# etc/trackport/trackport.conf (under PREFIX; /etc when PREFIX is /usr). DESTDIR stages it.
install: deps-run
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# The Debian package (debian/): dpkg-buildpackage over a copy of the tracked sources in
# $(BUILD)/deb/src, so the .deb lands in $(BUILD)/deb/ (dpkg-buildpackage writes into the
# parent folder) and the source tree stays clean.
deb:
	@bash .ci/install-deps deb
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/src
	git ls-files -z --cached --others --exclude-standard | \
	  tar --null -T - -cf - | tar -C $(BUILD)/deb/src -xf -
	cd $(BUILD)/deb/src && DEB_BUILD_OPTIONS="parallel=$(JOBS) $${DEB_BUILD_OPTIONS:-}" \
	  dpkg-buildpackage -us -uc -b
	@ls $(BUILD)/deb/*.deb

clean:
	rm -rf $(BUILD) $(BUILD_SAN) build-fuzz build-release build-clang
