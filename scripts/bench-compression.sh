#!/usr/bin/env bash
# Produce throughput per codec: librdkafka (kcat -P) sends 100,000 records of 100 bytes to one
# broker (one partition, acks=1), once per topic compression.type and producer codec. The
# broker recompresses when the two differ (broker/log/log-validator.ts).
# Usage: bash scripts/bench-compression.sh   (loopback only, temporary data dir, free ports)
set -euo pipefail
cd "$(dirname "$0")/.."
D=$(mktemp -d)
ZK_PORT=$((20000 + RANDOM % 10000)); ADMIN_PORT=$((ZK_PORT + 1)); PORT=$((ZK_PORT + 2))
python3 -c "
import random
r = random.Random(1)
with open('$D/in.txt', 'w') as f:
    for i in range(100000):
        f.write(('%08d-' % i) + ''.join(r.choice('abcdefgh') for _ in range(91)) + '\n')"
node --import tsx coordinator/cli.ts start --port $ZK_PORT --admin-port $ADMIN_PORT \
  --data-dir "$D/c" >"$D/c.log" 2>&1 &
CP=$!
sleep 3
node --import tsx broker/cli.ts start --id 1 --port $PORT --coordinator 127.0.0.1:$ZK_PORT \
  --data-dir "$D/b" --log-level warn >"$D/b.log" 2>&1 &
BP=$!
trap 'kill -9 $BP $CP 2>/dev/null; rm -rf "$D"' EXIT
sleep 6
uptime
for c in producer gzip snappy lz4 zstd; do
  node --import tsx coordinator/cli.ts --server 127.0.0.1:$ZK_PORT topics create "b-$c" \
    --partitions 1 --replication-factor 1 --config compression.type=$c >/dev/null
done
sleep 3
for c in producer gzip snappy lz4 zstd; do
  for z in none gzip snappy lz4 zstd; do
    s=$(date +%s.%N)
    kcat -b 127.0.0.1:$PORT -P -t "b-$c" -z $z -l "$D/in.txt" -X acks=1 -X linger.ms=5
    e=$(date +%s.%N)
    echo "compression.type=$c kcat -z $z: $(python3 -c "print(round(100000/($e-$s)))") records/s"
  done
done
uptime
