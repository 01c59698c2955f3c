/*
 * A minimal, fast librdkafka consumer for scripts/bench-broker.ts (not a test): reads
 * <count> records from every partition of <topic> from the beginning, with librdkafka's
 * legacy simple-consumer API (no consumer group), and counts them without printing them.
 * kcat is librdkafka too, but formats every record it reads, which caps it near 1.2M
 * records/s on this machine; this program measures the broker instead of the formatter.
 *
 *   cc -O2 -o /tmp/bench-consumer scripts/bench-consumer.c -lrdkafka
 *   /tmp/bench-consumer 127.0.0.1:9092 topic 8 1000000
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s bootstrap topic partitions count\n", argv[0]);
    return 2;
  }
  const char *topic_name = argv[2];
  int partitions = atoi(argv[3]);
  long expected = atol(argv[4]);
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  const char *settings[][2] = {
      {"bootstrap.servers", argv[1]},
      {"queued.min.messages", "1000000"},
      {"fetch.message.max.bytes", "4194304"},
      {"fetch.max.bytes", "52428800"},
      {"enable.partition.eof", "false"},
  };
  for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
    if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], err, sizeof err) != RD_KAFKA_CONF_OK) {
      fprintf(stderr, "%s\n", err);
      return 1;
    }
  }
  double started = now_ms();
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic_name, NULL);
  rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
  for (int p = 0; p < partitions; p++) {
    if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, queue) == -1) {
      fprintf(stderr, "consume_start: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
      return 1;
    }
  }
  long count = 0, bytes = 0;
  rd_kafka_message_t *batch[10000];
  double deadline = now_ms() + 60000;
  while (count < expected && now_ms() < deadline) {
    ssize_t n = rd_kafka_consume_batch_queue(queue, 1000, batch, 10000);
    for (ssize_t i = 0; i < n; i++) {
      if (batch[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        count++;
        bytes += (long)batch[i]->len;
      } else if (batch[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        fprintf(stderr, "error: %s\n", rd_kafka_message_errstr(batch[i]));
      }
      rd_kafka_message_destroy(batch[i]);
    }
  }
  double elapsed = now_ms() - started;
  printf("%ld %ld %.1f\n", count, bytes, elapsed);
  for (int p = 0; p < partitions; p++) rd_kafka_consume_stop(rkt, p);
  rd_kafka_queue_destroy(queue);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return count == expected ? 0 : 1;
}
