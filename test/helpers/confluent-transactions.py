"""librdkafka transactions for the transaction tests (confluent-kafka, Debian's
python3-confluent-kafka): init_transactions, then one committed transaction (records
"committed-0..2" and send_offsets_to_transaction for GROUP at offset 7), one aborted
transaction ("aborted-0..2", offsets at 99), and a last committed one ("end"). Then a
read_committed consumer reads TOPIC from the beginning up to "end". Prints JSON lines:
{"step": ...} after each call that returned, {"read": [values]} at the end, and
{"error": ...} (exit 1) if anything failed.

usage: confluent-transactions.py BOOTSTRAP TOPIC GROUP
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition


def say(**kv) -> None:
    print(json.dumps(kv), flush=True)


def main() -> None:
    bootstrap, topic, group = sys.argv[1:4]
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "transactional.id": "confluent-tx",
            "transaction.timeout.ms": 60000,
        }
    )
    # A consumer of the group, for its metadata (generation -1 until it joins: enough for
    # TxnOffsetCommit, which checks the generation only when one is given).
    offsets_consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False}
    )
    producer.init_transactions(30)
    say(step="init_transactions")

    def transaction(values, offset, commit):
        producer.begin_transaction()
        for value in values:
            producer.produce(topic, value.encode(), partition=0)
        producer.send_offsets_to_transaction(
            [TopicPartition(topic, 0, offset)], offsets_consumer.consumer_group_metadata(), 30
        )
        if commit:
            producer.commit_transaction(30)
        else:
            producer.abort_transaction(30)

    transaction([f"committed-{i}" for i in range(3)], 7, True)
    say(step="commit_transaction")
    transaction([f"aborted-{i}" for i in range(3)], 99, False)
    say(step="abort_transaction")
    transaction(["end"], 8, True)
    say(step="commit_transaction")

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group + "-reader",
            "isolation.level": "read_committed",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    read = []
    for _ in range(600):
        msg = consumer.poll(0.1)
        if msg is None or msg.error() is not None:
            continue
        read.append(msg.value().decode())
        if read[-1] == "end":
            break
    committed = offsets_consumer.committed([TopicPartition(topic, 0)], 30)
    say(read=read, committed=committed[0].offset)
    consumer.close()
    offsets_consumer.close()


if __name__ == "__main__":
    try:
        main()
    except Exception as err:  # noqa: BLE001 - the test prints whatever went wrong
        say(error=repr(err))
        sys.exit(1)
