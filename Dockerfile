# opswatch as a sidecar container.
#   build:  scripts/build-image.sh . opswatch:dev      (docker build when a daemon answers,
#                                                       rootful podman otherwise)
#   run:    docker run --rm -p 10490:10490 -v "$PWD/opswatch.yml:/etc/opswatch/opswatch.yml:ro" \
#             -v opswatch-state:/var/lib/opswatch opswatch:dev
# Two stages: the build stage has the compiler and the -dev packages, the runtime stage only the
# shared libraries the binary links (checked with readelf/ldd + dpkg -S) on debian:bookworm-slim.

# ---- build --------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS build
ENV DEBIAN_FRONTEND=noninteractive
# The dependency list lives in one place (scripts/install-deps.sh); copying only that script first
# keeps this slow layer cached while the sources change.
COPY scripts/install-deps.sh /src/scripts/install-deps.sh
RUN /src/scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt /src/
COPY core /src/core
COPY collectors /src/collectors
COPY rules /src/rules
COPY notify /src/notify
COPY cmake /src/cmake
COPY exporter /src/exporter
# JOBS: parallel compile jobs (empty = all cores). Shared CI machines pass a small number.
# REVISION: the git revision for --version and opswatch_build_info (.git is not in the context).
ARG JOBS=
ARG REVISION=unknown
RUN cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DOPSWATCH_TESTS=OFF \
      -DOPSWATCH_REVISION="${REVISION}" \
 && cmake --build /build --target opswatch -j "${JOBS:-$(nproc)}" \
 && install -D -s -m 0755 /build/opswatch /out/usr/bin/opswatch \
 && install -D -s -m 0644 -t /out/usr/lib/opswatch /build/opswatch-tls/libssl.so \
      /build/opswatch-tls/libcrypto.so \
 && /out/usr/bin/opswatch --version

# ---- runtime ------------------------------------------------------------------------------------
FROM debian:bookworm-slim
# Exactly the libraries `readelf -d opswatch | grep NEEDED` names (libstdc++6, libgcc-s1 and libc6
# are in the base already), plus ca-certificates so https:// health checks can verify servers.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libprometheus-cpp-core1.0 libcivetweb1 libyaml-cpp0.7 libcurl4 libpq5 libre2-9 \
      zlib1g libssl3 libcrypt1 ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log
# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can verify it and volume ownership is
# predictable (chown 10490 on the host side).
RUN groupadd --system --gid 10490 opswatch \
 && useradd --system --uid 10490 --gid 10490 --home-dir /var/lib/opswatch --no-create-home \
      --shell /usr/sbin/nologin opswatch \
 && install -d -o 10490 -g 10490 -m 0750 /var/lib/opswatch \
 && install -d -m 0755 /etc/opswatch \
 && printf '%s\n' \
      '# Default config of the opswatch image: watch the container root filesystem.' \
      '# Mount your own over /etc/opswatch/opswatch.yml (see examples/).' \
      'global:' \
      '  interval: 30s' \
      '  timeout: 10s' \
      '  state_dir: /var/lib/opswatch' \
      'collectors:' \
      '  - name: root-disk' \
      '    type: disk' \
      '    paths: [/]' \
      '    thresholds: {avail_ratio_warning: 0.10, avail_ratio_critical: 0.05}' \
      > /etc/opswatch/opswatch.yml \
 && chmod 0644 /etc/opswatch/opswatch.yml
COPY --from=build /out/usr/bin/opswatch /usr/bin/opswatch
# What lets CivetWeb serve HTTPS with OpenSSL 3 (README, "Securing the endpoints").
COPY --from=build /out/usr/lib/opswatch /usr/lib/opswatch
RUN /usr/bin/opswatch --config.check --config.file=/etc/opswatch/opswatch.yml

USER 10490:10490
WORKDIR /var/lib/opswatch
VOLUME ["/var/lib/opswatch"]
EXPOSE 10490
# The liveness probe needs no curl/wget: bash's /dev/tcp speaks HTTP/1.0 to /-/healthy and the
# status code on the first line decides. Set OPSWATCH_HEALTHCHECK_PORT when you change
# --web.listen-address.
ENV OPSWATCH_HEALTHCHECK_PORT=10490
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${OPSWATCH_HEALTHCHECK_PORT} && printf 'GET /-/healthy HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r -t 4 proto code rest <&3 && [ \"$code\" = 200 ]"]
# opswatch stops cleanly on SIGTERM (the default for docker stop / Kubernetes); said explicitly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/opswatch"]
CMD ["--config.file=/etc/opswatch/opswatch.yml"]
