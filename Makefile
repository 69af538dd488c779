# ddns-gateway — common tasks. `make help` lists them.
CARGO   ?= cargo
ARGS    ?=
# Every release target; `make dist TARGETS=aarch64-unknown-linux-musl` builds one.
TARGETS ?= x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf \
           armv5te-unknown-linux-musleabi mips-unknown-linux-musl mipsel-unknown-linux-musl
# Container image architecture: arm64, arm (ARMv7), armv5, amd64.
ARCH    ?= arm64

.PHONY: help build run test lint bench dist image clean

help:
	@echo "make run     build (release) and start the gateway with defaults (0.0.0.0:38080)"
	@echo "make test    run every test (unit, HTTP contract, providers, process)"
	@echo "make lint    rustfmt check and clippy with warnings as errors"
	@echo "make bench   measure size, memory, start-up and throughput; prints one table"
	@echo "make dist    static binaries for TARGETS into dist/, each run under qemu"
	@echo "make image   RouterOS container image dist/ddns-gateway-ARCH.tar (ARCH=$(ARCH))"

build:
	$(CARGO) build --release --locked

run: build
	./target/release/ddns-gateway $(ARGS)

test:
	$(CARGO) test --locked

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --locked -- -D warnings

bench:
	$(CARGO) build --release --locked
	$(CARGO) bench --locked --bench bench

dist:
	bash cross/build.sh $(TARGETS)
	bash cross/check.sh $(TARGETS)

image:
	bash cross/image.sh $(ARCH)

clean:
	$(CARGO) clean
	rm -rf dist
