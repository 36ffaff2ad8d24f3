# overlook — two commands matter: `make run` and `make test`.
GO      ?= go
BIN     := bin/overlook
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
export CGO_ENABLED := 1

.PHONY: build run test vet fmt bench fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/overlook

# Build and start the server: OTLP gRPC :4317, OTLP HTTP :4318, API :8080,
# data in ./data. Extra flags: make run ARGS="--config my.yaml".
run: build
	./$(BIN) serve $(ARGS)

# The whole suite: vet, unit, conformance, fuzz seeds, end-to-end.
test: vet
	$(GO) test -count=1 -timeout 30m ./...

vet:
	@unformatted=$$(gofmt -l cmd internal e2e bench 2>/dev/null); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2x ./internal/...

clean:
	rm -rf bin
