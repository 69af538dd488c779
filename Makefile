# ddns-gateway — common tasks. `make help` lists them.
CARGO   ?= cargo
ARGS    ?=
# Every release target; `make dist TARGETS=aarch64-unknown-linux-musl` builds one.
TARGETS ?= x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf \
           armv5te-unknown-linux-musleabi mips-unknown-linux-musl mipsel-unknown-linux-musl
# Container image architecture: arm64, arm (ARMv7), armv5, amd64.
ARCH    ?= arm64
# make publish: where to, which version; TLS_VERIFY=false for a plain-HTTP loopback registry.
REGISTRY ?=
TAG      ?=
TLS_VERIFY ?= true

.PHONY: help build run test lint fmt bench dist image release publish size routeros rsc-check clean

help:
	@echo "make run     build (release) and start the gateway with defaults (0.0.0.0:38080)"
	@echo "make test    run every test (unit, HTTP contract, providers, process)"
	@echo "make lint    rustfmt check and clippy with warnings as errors"
	@echo "make fmt     rustfmt every source file"
	@echo "make bench   measure size, memory, start-up and throughput; prints one table"
	@echo "make dist    static binaries for TARGETS into dist/, each run under qemu"
	@echo "make image   RouterOS container image dist/ddns-gateway-ARCH.tar (ARCH=$(ARCH))"
	@echo "make size    where the bytes of the aarch64 binary go, as a table"
	@echo "make release every binary and image into dist/, with SHA256SUMS"
	@echo "make publish REGISTRY=host[:port]/path TAG=x.y.z   push the images (skopeo login first)"
	@echo "make routeros  regenerate routeros/setup.rsc (embeds routeros/ddns.rsc)"
	@echo "make rsc-check check every shipped .rsc against RouterOS 7.15 ... 7.24"

build:
	$(CARGO) build --release --locked

run: build
	./target/release/ddns-gateway $(ARGS)

test:
	$(CARGO) test --locked

# The provider modules are declared inside the registry! macro, where cargo fmt does not
# look: rustfmt is given them by name.
PROVIDER_SOURCES = $(wildcard src/providers/*.rs)

lint:
	$(CARGO) fmt --all -- --check
	rustfmt --edition 2024 --check $(PROVIDER_SOURCES)
	$(CARGO) clippy --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all
	rustfmt --edition 2024 $(PROVIDER_SOURCES)

bench:
	$(CARGO) build --release --locked
	$(CARGO) bench --locked --bench bench

dist:
	bash cross/build.sh $(TARGETS)
	bash cross/check.sh $(TARGETS)

image:
	bash cross/image.sh $(ARCH)

release: dist
	for arch in amd64 arm64 arm armv5; do bash cross/image.sh $$arch; done

publish:
	REGISTRY="$(REGISTRY)" TAG="$(TAG)" TLS_VERIFY="$(TLS_VERIFY)" bash cross/publish.sh

size:
	bash cross/size.sh

routeros:
	python3 routeros/embed.py

# Every .rsc the project ships, against every RouterOS version's command tree.
RSC_CHECK ?= ../shared/tools/rsc-check
rsc-check:
	@[ -x "$(RSC_CHECK)" ] || { echo "rsc-check not found at $(RSC_CHECK) (it sits beside the checkout in ../shared; elsewhere give RSC_CHECK=/path/to/rsc-check)" >&2; exit 127; }
	$(RSC_CHECK) routeros/*.rsc

clean:
	$(CARGO) clean
	rm -rf dist
