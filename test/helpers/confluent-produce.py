"""A librdkafka producer for the replication tests (confluent-kafka, Debian's
python3-confluent-kafka): sends the values 0..count-1 to one partition with the given acks,
in batches of `batch` (each flushed before the next), and prints one line per delivery report:
"ok VALUE OFFSET" when the broker acknowledged the record, "fail VALUE ERROR" when librdkafka
gave up on it. Only "ok" lines are acknowledged writes.

usage: confluent-produce.py BOOTSTRAP TOPIC PARTITION ACKS COUNT BATCH
"""
import sys

from confluent_kafka import Producer


def main() -> None:
    bootstrap, topic, partition, acks, count, batch = sys.argv[1:7]
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "acks": acks,
            "linger.ms": 5,
            # Retry through a leader change; give up on a record after 30 s.
            "message.timeout.ms": 30000,
            "retry.backoff.ms": 100,
            "topic.metadata.refresh.interval.ms": 1000,
        }
    )

    def report(err, msg):
        value = msg.value().decode()
        if err is None:
            print(f"ok {value} {msg.offset()}", flush=True)
        else:
            print(f"fail {value} {err.name()}", flush=True)

    n = int(count)
    step = int(batch)
    for start in range(0, n, step):
        for i in range(start, min(n, start + step)):
            producer.produce(topic, str(i).encode(), partition=int(partition), on_delivery=report)
        producer.flush()


main()
