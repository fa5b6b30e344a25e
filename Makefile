# tradedash: `make run` serves the dashboard with its demo data; `make test` runs every test.
GO        ?= go
BIN       := bin/tradedash
PKGS      := ./...
BENCHOUT  ?= bench.txt

.PHONY: all build run test test-names test-deps vulncheck lint bench bench-1m fuzz cover screenshot generate clean soak soak-reads loaddata loadtest

all: lint test build

## build: the single static binary, bin/tradedash (no cgo)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) .

## run: build, then serve http://127.0.0.1:8080 with the built-in demo data
run: build
	./$(BIN) serve

## test-deps: install what the tests need on a Debian machine (Chromium for the
## browser tests, a C compiler for -race); fail loudly when that is impossible.
test-deps:
	@bash .ci/install-test-deps

## test: every test, never skipping the browser tests, in two steps: all but
## SLOWTESTS with the race detector, then SLOWTESTS without it. SLOWTESTS
## drive child processes (kill -9, a full disk, the built binary) or read
## big files through single-goroutine readers (the adversarial suite, the
## xlsx differential tests): -race finds nothing there and made them ten
## times slower. They live only in SLOWPKGS; test-names checks that no
## other package has a test of the same name (it would be skipped, not run).
SLOWTESTS := TestKillDuringImport|TestImportIntoFullDisk|TestAdversarialInputs|TestBinaryServesDemoAndShutsDown|TestSheetScannerMatchesExcelize|TestSheetScannerStreamed|TestXLSXMatchesGetRows|TestPartsCheckGivesUp
SLOWPKGS  := . ./importers
test: test-deps test-names
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 20m -skip '^($(SLOWTESTS))$$' $(PKGS)
	$(GO) test -count=1 -timeout 20m -run '^($(SLOWTESTS))$$' $(SLOWPKGS)

test-names:
	@elsewhere=$$(grep -rlE '^func ($(SLOWTESTS))\(' --include='*_test.go' . | grep -vE '^\./([^/]+|importers/[^/]+)$$' || true); \
	  if [ -n "$$elsewhere" ]; then echo "SLOWTESTS names a test outside SLOWPKGS: $$elsewhere"; exit 1; fi

## lint: gofmt, go vet and staticcheck (pinned in go.mod as a tool)
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

## vulncheck: govulncheck (pinned in go.mod as a tool) against GOVULNDB
## (default https://vuln.go.dev): fails on vulnerabilities the code reaches;
## when the database cannot be reached, says so loudly and does not fail
vulncheck:
	@bash .ci/vulncheck

## bench: benchmarks, 10 runs each, into $(BENCHOUT); compare two runs with
## `go run golang.org/x/perf/cmd/benchstat@latest old.txt new.txt`
bench:
	$(GO) test -run '^$$' -bench . -skip '1M$$' -benchmem -count=10 $(PKGS) | tee $(BENCHOUT)

## bench-1m: the 1,000,000-row import benchmarks (minutes per run), 3 runs
bench-1m:
	$(GO) test -run '^$$' -bench '1M$$' -benchmem -count=3 -timeout 2h ./importers | tee $(BENCHOUT)

## fuzz: run each fuzz target for FUZZTIME (the seeds alone run in `make test`)
FUZZTIME ?= 60s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## soak: serve on loopback for SOAKTIME under page and API reads from 64
## readers with uploads and deletes in between; fails on any error, on
## memory growth past its bounds, or on an unclean shutdown
SOAKTIME ?= 60s
soak:
	SOAKTIME=$(SOAKTIME) $(GO) run ./internal/soak

## soak-reads: the same, reads only, from 128 readers, for SOAKTIME
soak-reads:
	$(GO) run ./internal/soak -writes=false -readers 128 -duration $(SOAKTIME)

## cover: test coverage, as cover.html
cover:
	$(GO) test -count=1 -coverprofile=cover.out $(PKGS)
	$(GO) tool cover -html=cover.out -o cover.html

## screenshot: refresh docs/screenshot-bilateral.png from the browser test
screenshot: test-deps
	$(GO) test -count=1 -run 'TestBrowserBilateralChart$$' ./server -screenshot $(CURDIR)/docs/screenshot-bilateral.png

## generate: rebuild the embedded reference lists and demo CSVs from ../shared/data
generate:
	$(GO) generate ./...

## loaddata: build $(LOADDB), a synthetic all-pairs HS-chapter database for
## the load test (LOADCOUNTRIES=60 LOADYEARS=15: 10.6 million observations;
## try LOADCOUNTRIES=10 first). Not committed; remove the file to rebuild.
LOADDB        ?= tmp/load.db
LOADCOUNTRIES ?= 60
LOADYEARS     ?= 15
loaddata:
	$(GO) run ./tools/loaddata -db $(LOADDB) -countries $(LOADCOUNTRIES) -years $(LOADYEARS)

## loadtest: serve $(LOADDB) with the built binary on loopback and load every
## API endpoint and page for LOADTIME each with LOADCONNS connections; prints
## requests/s, p50 and p99; fails if any request fails. LOADSERVER=http://...
## loads a server already running instead (say, one with --response-cache-mb 0).
LOADTIME   ?= 5s
LOADCONNS  ?= 16
LOADSERVER ?=
loadtest: build
	$(GO) run ./tools/loadtest -bin $(BIN) -db $(LOADDB) -duration $(LOADTIME) -conns $(LOADCONNS) -server "$(LOADSERVER)"

clean:
	rm -rf bin cover.out cover.html
