# A thin wrapper over CMake, so that a learner needs two commands:
#   make demo   install what is missing, build (release), run the whole stack:
#               the proxy (stage 5) on :8080 in front of the app server (stage 3)
#               on :8000. DEMO= runs one stage instead: make demo DEMO=stage1-devserver;
#               make demo DEMO=django runs the article's Django project on stage 3 behind stage 5
#   make test   install what is missing, build (dev: Debug, -Werror), run every test
#   make bench SCENARIO=stage1   compare a stage with the real system (bench/)
#   make fuzz FUZZ_SECONDS=30    run every libFuzzer target in fuzz/ that long
#   make nginx-suite NGINX_TESTS=DIR   nginx's own tests against stage 5 and the
#               system's nginx, checks passed per file (scripts/nginx-suite)
#   make figures   redraw the tutorial's figures, docs/figures/*.svg, with gnuplot
#               from the committed data (scripts/figures; docs/figures/README.md)
# The real build is CMakeLists.txt with the presets in CMakePresets.json.

# The build below is a make run by cmake; its "Entering directory" lines are noise.
MAKEFLAGS += --no-print-directory

HOST ?= 127.0.0.1
JOBS ?= 2
# What `make demo` runs: "stack" (scripts/demo-stack: stage 5 in front of
# stage 3), or one stage with its arguments. PORT is where the browser goes.
DEMO ?= stack
# SEAT=N (one number per learner on a shared machine) moves every port by
# 100*N: the app server to 8000+100N, the proxy to 8080+100N (scripts/seat).
SEAT ?= 0
APP_PORT ?= $(shell echo $$((8000 + 100 * $(SEAT))))

SCENARIO ?= stage1
FUZZ_SECONDS ?= 30
NGINX_TESTS ?=
NGINX_SUITE_FLAGS ?=

.PHONY: demo test bench fuzz nginx-suite figures deps build-dev build-release clean

deps:
	@scripts/install-deps

build-release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j$(JOBS)

build-dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j$(JOBS)

ifeq ($(DEMO),stack)
PORT ?= $(shell echo $$((8080 + 100 * $(SEAT))))
demo: build-release
	@exec scripts/demo-stack --bin build/release/bin --port $(PORT) --app-port $(APP_PORT)
else ifeq ($(DEMO),django)
PORT ?= $(shell echo $$((8080 + 100 * $(SEAT))))
demo: build-release
	@exec scripts/demo-stack --django --bin build/release/bin --port $(PORT) --app-port $(APP_PORT)
else
PORT ?= $(APP_PORT)
demo: build-release
	@echo
	@echo "Open http://$(HOST):$(PORT)/ in your browser (Ctrl-C stops the server)."
	@echo
	@exec build/release/bin/$(DEMO) --bind $(HOST):$(PORT)
endif

test: build-dev
	@ctest --preset dev

bench: build-release
	@bench/run $(SCENARIO)

figures: deps
	@scripts/figures

nginx-suite: build-dev
	@scripts/nginx-suite --tests "$(NGINX_TESTS)" --stage5 build/dev/bin/stage5-static-files $(NGINX_SUITE_FLAGS)

clean:
	rm -rf build

fuzz: deps
	@JOBS=$(JOBS) scripts/fuzz $(FUZZ_SECONDS)
