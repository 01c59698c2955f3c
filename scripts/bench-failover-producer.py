"""The paced producer of scripts/bench-failover.ts (not a test): librdkafka through
confluent-kafka (Debian's python3-confluent-kafka). Sends one 100-byte record to partition 0
of TOPIC every INTERVAL_MS with acks=all, and prints "ack WALL_MS" (time.time() in ms) for
each delivery report that succeeded, "fail WALL_MS ERROR" for one librdkafka gave up on. Runs
until stdin closes.

usage: bench-failover-producer.py BOOTSTRAP TOPIC INTERVAL_MS
"""
import select
import sys
import time

from confluent_kafka import Producer


def main() -> None:
    bootstrap, topic, interval_ms = sys.argv[1], sys.argv[2], float(sys.argv[3])
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "acks": "all",
            "linger.ms": 0,
            "message.timeout.ms": 60000,
            "retry.backoff.ms": 50,
            "topic.metadata.refresh.interval.ms": 1000,
        }
    )

    def report(err, _msg):
        now = time.time() * 1000
        if err is None:
            print(f"ack {now:.1f}", flush=True)
        else:
            print(f"fail {now:.1f} {err.name()}", flush=True)

    payload = b"x" * 100
    while True:
        readable, _, _ = select.select([sys.stdin], [], [], interval_ms / 1000)
        if readable and sys.stdin.read(1) == "":
            break
        producer.produce(topic, payload, partition=0, on_delivery=report)
        producer.poll(0)
    producer.flush(30)


main()
