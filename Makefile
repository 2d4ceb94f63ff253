# A thin wrapper over CMake, so that a learner needs two commands:
#   make demo   install what is missing, build (release), run the furthest stage
#               (DEMO= picks another: make demo DEMO=stage1-devserver)
#   make test   install what is missing, build (dev: Debug, -Werror), run every test
#   make bench SCENARIO=stage1   compare a stage with the real system (bench/)
# The real build is CMakeLists.txt with the presets in CMakePresets.json.

# The build below is a make run by cmake; its "Entering directory" lines are noise.
MAKEFLAGS += --no-print-directory

PORT ?= 8000
HOST ?= 127.0.0.1
JOBS ?= 2
# The furthest stage that exists, with its arguments; `make demo` runs it.
DEMO ?= stage3-prefork-server lifecycle:application --workers 2

SCENARIO ?= stage1

.PHONY: demo test bench deps build-dev build-release clean

deps:
	@scripts/install-deps

build-release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j$(JOBS)

build-dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j$(JOBS)

demo: build-release
	@echo
	@echo "Open http://$(HOST):$(PORT)/ in your browser (Ctrl-C stops the server)."
	@echo
	@exec build/release/bin/$(DEMO) --bind $(HOST):$(PORT)

test: build-dev
	@ctest --preset dev

bench: build-release
	@bench/run $(SCENARIO)

clean:
	rm -rf build
