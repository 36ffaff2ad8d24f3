# overlook — two commands matter: `make run` and `make test`.
GO      ?= go
BIN     := bin/overlook
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
export CGO_ENABLED := 1

.PHONY: build ui run demo test vet fmt bench fuzz clean chdb

build: ui
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/overlook

# The web UI (web/, React + Vite) is built into internal/ui/dist and
# embedded with go:embed. npm ci runs when node_modules is missing or
# package-lock.json changed; the build reruns when a source changed.
WEB_SRC := $(shell find web/src web/index.html web/public web/vite.config.ts web/tsconfig.json -type f 2>/dev/null)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

internal/ui/dist/index.html: web/node_modules/.installed $(WEB_SRC)
	cd web && npx tsc --noEmit && npx vite build

ui: internal/ui/dist/index.html

# Build and start the server: OTLP gRPC :4317, OTLP HTTP :4318, API :8080,
# data in ./data. Extra flags: make run ARGS="--config my.yaml".
run: build
	./$(BIN) serve $(ARGS)

# The built-in demo (docs/demo.md): the server plus a seeded online shop
# with an incident, 3 h of history then live traffic, in a fresh
# ./demo-data (deleted first, so each run starts clean). Open :8080.
demo: build
	rm -rf ./demo-data
	./$(BIN) serve --demo --data ./demo-data $(ARGS)

# chDB (ClickHouse as a library, ~560 MB libchdb.so) for the ClickHouse
# backend's tests (internal/testing/chdb): installed once with npm into a
# cache outside the repository (.ci/run runs it). Tests skip without it,
# except under CI (CI=true), where they fail.
CHDB_VERSION ?= 26.5.3
CHDB_DIR     ?= $(HOME)/.cache/overlook/chdb
chdb: $(CHDB_DIR)/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so

$(CHDB_DIR)/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so:
	mkdir -p $(CHDB_DIR)
	test -f $(CHDB_DIR)/package.json || echo '{"name":"overlook-chdb-cache","private":true}' > $(CHDB_DIR)/package.json
	cd $(CHDB_DIR) && npm install --no-audit --no-fund @chdb/lib-linux-x64-gnu@$(CHDB_VERSION)

# The whole suite: vet, unit, conformance, fuzz seeds, end-to-end.
test: ui vet
	cd web && npx vitest run
	OVERLOOK_UI_TEST=1 $(GO) test -count=1 -timeout 30m ./...

vet:
	@unformatted=$$(gofmt -l cmd internal e2e bench 2>/dev/null); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2x ./internal/...

clean:
	rm -rf bin
