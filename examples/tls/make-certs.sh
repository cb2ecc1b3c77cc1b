#!/usr/bin/env bash
# Makes a throwaway CA, a server certificate for opswatch and a client certificate for Prometheus,
# for trying --web.config.file (README, "Securing the endpoints"). Private keys are written only
# to DIR: never commit them. For production use your organisation's CA or cert-manager.
#   examples/tls/make-certs.sh DIR [SERVER_NAME...]
# SERVER_NAME defaults to localhost and 127.0.0.1; add the names Prometheus uses to reach opswatch
# (for example opswatch, opswatch.monitoring.svc).
set -euo pipefail
dir=${1:?usage: make-certs.sh DIR [SERVER_NAME...]}
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(localhost 127.0.0.1)
san=""
for name in "${names[@]}"; do
  if [[ $name =~ ^[0-9.]+$ ]]; then san+="IP:$name,"; else san+="DNS:$name,"; fi
done
san=${san%,}

mkdir -p "$dir"
cd "$dir"
umask 077
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
openssl req -x509 "${ec[@]}" -days 365 -subj /CN=opswatch-example-ca -keyout ca.key -out ca.crt \
  2>/dev/null
openssl req "${ec[@]}" -subj "/CN=${names[0]}" -addext "subjectAltName=$san" \
  -addext extendedKeyUsage=serverAuth -keyout server.key -out server.csr 2>/dev/null
openssl x509 -req -days 90 -copy_extensions copy -in server.csr -CA ca.crt -CAkey ca.key \
  -CAcreateserial -out server.crt 2>/dev/null
openssl req "${ec[@]}" -subj /CN=prometheus -addext extendedKeyUsage=clientAuth \
  -keyout client.key -out client.csr 2>/dev/null
openssl x509 -req -days 90 -copy_extensions copy -in client.csr -CA ca.crt -CAkey ca.key \
  -CAcreateserial -out client.crt 2>/dev/null
rm -f server.csr client.csr ca.srl
chmod 0644 ca.crt server.crt client.crt
echo "wrote $dir: ca.crt ca.key server.crt server.key client.crt client.key (server: $san)"
