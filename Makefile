# The two commands: `make run` (the local demo) and `make test` (everything CI checks).
# Tools are pinned in tools/go.mod and built into bin/ on first use.

SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
TOOLS := $(BIN)/benchstat $(BIN)/buf $(BIN)/grpcurl $(BIN)/protoc-gen-go $(BIN)/protoc-gen-connect-go $(BIN)/sqlc
GOFILES = $(shell git ls-files --cached --others --exclude-standard '*.go')

WEB_DEPS := web/node_modules/.package-lock.json
VERIFIER_DEPS := verifier/node_modules/.package-lock.json
# npm's xliff library, which the XLIFF round-trip test of internal/translation hands exports to.
XLIFF_JS_DEPS := internal/translation/testdata/xliff-js/node_modules/.package-lock.json
OIDC_JS_DEPS := internal/server/testdata/oidc-provider/node_modules/.package-lock.json

.PHONY: run test lint generate check-generated go-test web-build web-test verifier-test chromium podman proxies xmllint pdftotext hunspell-pl fuzz bench tools db clean release image

run: hunspell-pl
	$(GO) run ./cmd/miasta dev

# test starts (or reuses) PostgreSQL itself: TEST_DATABASE_URL, else DATABASE_URL, else the local
# cluster `miasta dev-db` sets up, which it stops again afterwards when it started it and nothing
# else uses it. The browser tests (cmd/miasta TestBrowserDemo) need Chromium, which it installs from
# Debian's packages when missing, and leave screenshots in web/e2e/artifacts/. The README test
# (cmd/miasta TestReadmeCommands) runs README's commands with bin/buf and bin/grpcurl.
test: lint check-generated web-test verifier-test go-test fuzz

# verifier-test checks the independent TypeScript verifier (verifier/, written from spec/audit.md
# alone) against every committed vector, and builds the command the Go tests cross-check real bundles
# with.
verifier-test: $(VERIFIER_DEPS)
	cd verifier && npm run --silent typecheck && MIASTA_VECTORS=../spec/vectors npx vitest run && npm run --silent build
	cd verifier && node dist/miasta-verify.mjs -vectors ../spec/vectors >/dev/null

$(VERIFIER_DEPS): verifier/package.json verifier/package-lock.json
	cd verifier && npm ci --no-audit --no-fund
	@touch $@

go-test: $(WEB_DEPS) $(VERIFIER_DEPS) $(XLIFF_JS_DEPS) $(OIDC_JS_DEPS) chromium podman proxies xmllint pdftotext hunspell-pl $(BIN)/buf $(BIN)/grpcurl
	@url="$${TEST_DATABASE_URL:-$$DATABASE_URL}"; \
	if [ -n "$$url" ]; then \
		echo "testing against PostgreSQL at $${url#*@}"; \
		TEST_DATABASE_URL="$$url" $(GO) test -race -count=1 ./...; \
	else \
		$(GO) run ./cmd/miasta dev-db -- $(GO) test -race -count=1 ./...; \
	fi

# fuzz runs every fuzz target for a bounded time (their seed corpora already run in go-test).
# Each target runs a fixed number of inputs, about 8 s each on the 2-core CI machine. A count, not a
# duration: with a -fuzztime duration go1.26's fuzz coordinator can fail a clean run with "context
# deadline exceeded" as the time runs out (golang/go#75804, fixed in go1.27). FUZZSCALE multiplies them.
FUZZSCALE ?= 1
fuzzrun = $(GO) test -run '^$$' -fuzz '^$(1)$$' -fuzztime $$(( $(2) * $(FUZZSCALE) ))x $(3)
fuzz:
	$(call fuzzrun,FuzzParseClaims,100000,./internal/auth/)
	$(call fuzzrun,FuzzRequestValidation,12000,./internal/server/)
	$(call fuzzrun,FuzzExportRoundTrip,30000,./internal/results/)
	$(call fuzzrun,FuzzOpenDataRoundTrip,20000,./internal/share/)
	$(call fuzzrun,FuzzPreviewStaysInItsElements,20000,./web/)
	$(call fuzzrun,FuzzParse,100000,./internal/canon/)
	$(call fuzzrun,FuzzVerify,12000,./internal/verify/)
	$(call fuzzrun,FuzzIsTime,100000,./internal/verify/)
	$(call fuzzrun,FuzzCompute,60000,./internal/tally/)

# bench runs the Go benchmarks of the tally and the offline verifier six times each and prints their
# medians with benchstat (the raw runs go to bench-go.txt, to compare with a later run: benchstat
# old.txt bench-go.txt), then cmd/miasta-bench: SaveBallot and CastBallot against the real server,
# pgbench for comparison, tally.Compute at 10k–1M rows, offline verify and RSS, on a throwaway database
# it creates and drops, SearchPractices at 100,000 public practices (fresh and warm connections; `go run
# ./cmd/miasta-bench -search-only` runs that phase alone), and last the web app in headless Chromium on a slow phone (Slow 4G, 4× slower
# processor: `/`, the ballot and the results page, cold and warm, 5 runs each; `go run
# ./cmd/miasta-bench -web-only` runs that phase alone). That table also goes to bench-results.md. Like
# go-test, it uses TEST_DATABASE_URL, else DATABASE_URL, else the local cluster `miasta dev-db` sets up.
bench: $(BIN)/benchstat chromium hunspell-pl
	@url="$${TEST_DATABASE_URL:-$$DATABASE_URL}"; \
	if [ -z "$$url" ]; then url="$$($(GO) run ./cmd/miasta dev-db)" || exit 1; fi; \
	echo "benchmarking against PostgreSQL at $${url#*@}"; \
	$(GO) test -run '^$$' -bench . -benchtime 3x -count 6 ./internal/tally/ ./internal/verify/ > bench-go.txt && \
	$(BIN)/benchstat bench-go.txt && \
	$(GO) run ./cmd/miasta-bench -database-url "$$url"

lint: $(BIN)/buf
	@out="$$(gofmt -l $(GOFILES))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(MAKE) --no-print-directory .gen/protovalidate
	$(BIN)/buf lint
	$(BIN)/buf format --diff --exit-code

generate: $(TOOLS) .gen/protovalidate $(WEB_DEPS)
	$(BIN)/buf format -w
	$(BIN)/buf generate
	$(BIN)/sqlc generate

# The web app is built into web/dist, which is committed so that `make run` and `go build` need no
# Node.js; check-generated rebuilds it and fails when the committed build differs from the sources.
web-build: $(WEB_DEPS)
	cd web && npm run --silent build

web-test: $(WEB_DEPS)
	cd web && npx vitest run

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(XLIFF_JS_DEPS): internal/translation/testdata/xliff-js/package.json internal/translation/testdata/xliff-js/package-lock.json
	cd internal/translation/testdata/xliff-js && npm ci --no-audit --no-fund
	@touch $@

# The second, independent OpenID provider the sign-in tests run (npm oidc-provider).
$(OIDC_JS_DEPS): internal/server/testdata/oidc-provider/package.json internal/server/testdata/oidc-provider/package-lock.json
	cd internal/server/testdata/oidc-provider && npm ci --no-audit --no-fund
	@touch $@

# xmllint: Debian's libxml2-utils, with which the tests validate XLIFF exports against the OASIS schema.
xmllint:
	@command -v xmllint >/dev/null || { echo "installing Debian's libxml2-utils (xmllint) for the XLIFF tests"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q libxml2-utils >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q libxml2-utils >/dev/null; }; }

# pdftotext: Debian's poppler-utils (pdftotext, pdfinfo, pdffonts), with which the tests read the PDFs
# the server makes (internal/pdfdoc, a report's PDF) back as text.
pdftotext:
	@command -v pdftotext >/dev/null || { echo "installing Debian's poppler-utils (pdftotext) for the PDF tests"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q poppler-utils >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q poppler-utils >/dev/null; }; }

# hunspell-pl: Debian's Polish dictionary, for the search's Polish word forms (README's Search).
# Installing it runs Debian's pg_updatedicts (postgresql-common), which converts it and links
# pl_pl.dict and pl_pl.affix into PostgreSQL's tsearch_data; run here too for a PostgreSQL installed
# after the dictionary. Without root or apt-get it only says so: search then falls back to matching
# without Polish word forms, and `miasta serve` logs that.
hunspell-pl:
	@ls /usr/share/postgresql/*/tsearch_data/pl_pl.affix >/dev/null 2>&1 || { \
		if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then \
			echo "hunspell-pl is not set up for PostgreSQL (installing it needs root and apt-get): search falls back to matching without Polish word forms"; exit 0; fi; \
		echo "installing Debian's hunspell-pl for PostgreSQL's Polish text search"; \
		export DEBIAN_FRONTEND=noninteractive; \
		dpkg -s hunspell-pl >/dev/null 2>&1 || apt-get install -y -q hunspell-pl >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q hunspell-pl >/dev/null; }; \
		PATH="$$PATH:/usr/sbin" pg_updatedicts >/dev/null; }

# chromium: Debian's package, for the browser tests (Playwright's own download is not used).
chromium:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the browser tests"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }

# podman: Debian's podman, with which deploy TestRelease builds the container image (make image) and
# inspects it, and bubblewrap, with which it runs the image's root file system read-only as the
# image's user (podman run cannot run here).
podman:
	@command -v podman >/dev/null && command -v bwrap >/dev/null || { echo "installing Debian's podman and bubblewrap for the container image test"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q podman bubblewrap >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q podman bubblewrap >/dev/null; }; }

# proxies: Debian's nginx-light and caddy, with which deploy TestReadmeProxyExamples checks README's
# reverse proxy configurations (nginx -t, caddy validate; neither is started).
proxies:
	@command -v nginx >/dev/null && command -v caddy >/dev/null || { echo "installing Debian's nginx-light and caddy for the reverse proxy examples' test"; \
		export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q nginx-light caddy >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q nginx-light caddy >/dev/null; }; }

# release builds the production binary: static (CGO_ENABLED=0: no C library needed at run time, so it
# runs FROM scratch and on any Linux of its architecture), without the build machine's paths
# (-trimpath) or debugging symbols, stamped with VERSION (`miasta version` prints it). RELEASE names
# the file (default bin/miasta); GOOS and GOARCH cross-compile as usual.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
RELEASE ?= bin/miasta
release:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w -X main.version=$(VERSION)' -o $(RELEASE) ./cmd/miasta

# image builds the container image IMAGE (default miasta:VERSION) from Containerfile: the release
# binary and the build host's CA certificates, staged in IMAGE_CONTEXT (the build context: only what
# the image holds). CONTAINER names the builder (podman, or docker).
IMAGE ?= miasta:$(VERSION)
IMAGE_CONTEXT ?= bin/image
CONTAINER ?= podman
CA_CERTIFICATES ?= /etc/ssl/certs/ca-certificates.crt
image: release
	rm -rf $(IMAGE_CONTEXT) && mkdir -p $(IMAGE_CONTEXT)/rootfs/usr/local/bin $(IMAGE_CONTEXT)/rootfs/etc/ssl/certs \
		$(IMAGE_CONTEXT)/rootfs/var/lib $(IMAGE_CONTEXT)/rootfs/var/cache $(IMAGE_CONTEXT)/writable
	cp $(RELEASE) $(IMAGE_CONTEXT)/rootfs/usr/local/bin/miasta
	cp $(CA_CERTIFICATES) $(IMAGE_CONTEXT)/rootfs/etc/ssl/certs/ca-certificates.crt
	$(CONTAINER) build -f Containerfile -t $(IMAGE) $(IMAGE_CONTEXT)

# check-generated regenerates everything (API code, queries, the web build) and fails when the
# committed files differ.
check-generated: generate web-build
	@if [ -n "$$(git status --porcelain -- internal proto web/src/gen web/dist)" ]; then \
		echo "generated code is stale: run 'make generate web-build' and commit"; git status --porcelain -- internal proto web/src/gen web/dist; \
		git --no-pager diff --stat -- internal proto web/src/gen web/dist; exit 1; fi

# protovalidate's validate.proto comes from the Go module cache at the version tools/go.mod pins.
.gen/protovalidate: tools/go.mod
	@dir="$$(cd tools && $(GO) mod download -json github.com/bufbuild/protovalidate | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p')"; \
	test -n "$$dir" || { echo "cannot find github.com/bufbuild/protovalidate in the module cache"; exit 1; }; \
	rm -rf $@ && mkdir -p .gen && cp -r "$$dir/proto/protovalidate" $@ && chmod -R u+w $@ && touch $@

tools: $(TOOLS)

$(BIN)/benchstat: tools/go.mod
	cd tools && $(GO) build -o $(BIN)/ golang.org/x/perf/cmd/benchstat
$(BIN)/buf: tools/go.mod
	cd tools && $(GO) build -o $(BIN)/ github.com/bufbuild/buf/cmd/buf
$(BIN)/grpcurl: tools/go.mod
	cd tools && $(GO) build -o $(BIN)/ github.com/fullstorydev/grpcurl/cmd/grpcurl
$(BIN)/protoc-gen-go: tools/go.mod
	cd tools && $(GO) build -o $(BIN)/ google.golang.org/protobuf/cmd/protoc-gen-go
$(BIN)/protoc-gen-connect-go: tools/go.mod
	cd tools && $(GO) build -o $(BIN)/ connectrpc.com/connect/cmd/protoc-gen-connect-go
$(BIN)/sqlc: tools/go.mod
	cd tools && $(GO) build -o $(BIN)/ github.com/sqlc-dev/sqlc/cmd/sqlc

db: hunspell-pl
	@$(GO) run ./cmd/miasta dev-db

clean:
	rm -rf bin .gen web/node_modules verifier/node_modules verifier/dist internal/translation/testdata/xliff-js/node_modules internal/server/testdata/oidc-provider/node_modules
