/*
 * End-to-end latency with librdkafka (not a test; run by scripts/bench-latency.ts): one
 * producer sends 100-byte records to partition 0 of <topic> at <rate> records/s for <seconds>
 * seconds (acks=all), each carrying its send time; a consumer in the same process (the legacy
 * simple-consumer API, no group) reads them from the end of the partition and records, for
 * every record, the time from produce() to the consumer holding it. A record is consumable
 * only once the high watermark passed it, so this includes the replication round trip.
 * Prints the count, p50, p99 and max in ms, and the rate achieved.
 *
 *   cc -O2 -o /tmp/bench-latency scripts/bench-latency.c -lrdkafka -lpthread
 *   /tmp/bench-latency 127.0.0.1:9092 topic 100000 10
 */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECORD_BYTES 100

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static const char *bootstrap, *topic_name;
static long expected;
static double *latencies;
static volatile long received;
static volatile int consumer_ready;

static void *consume(void *arg) {
  (void)arg;
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
  rd_kafka_conf_set(conf, "fetch.wait.max.ms", "100", err, sizeof err);
  rd_kafka_conf_set(conf, "fetch.error.backoff.ms", "10", err, sizeof err);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "consumer: %s\n", err);
    exit(1);
  }
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic_name, NULL);
  rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_END);
  rd_kafka_message_t *batch[10000];
  double deadline = 0;
  consumer_ready = 1;
  while (received < expected) {
    ssize_t n = rd_kafka_consume_batch(rkt, 0, 100, batch, 10000);
    double now = now_ms();
    for (ssize_t i = 0; i < n; i++) {
      rd_kafka_message_t *m = batch[i];
      if (!m->err && m->len == RECORD_BYTES && received < expected) {
        double sent;
        memcpy(&sent, m->payload, sizeof sent);
        latencies[received++] = now - sent;
      }
      rd_kafka_message_destroy(m);
    }
    if (deadline == 0 && received > 0) deadline = now + 120000;
    if (deadline != 0 && now > deadline) break;
  }
  rd_kafka_consume_stop(rkt, 0);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return NULL;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s bootstrap topic rate seconds\n", argv[0]);
    return 2;
  }
  bootstrap = argv[1];
  topic_name = argv[2];
  long rate = atol(argv[3]);
  long seconds = atol(argv[4]);
  expected = rate * seconds;
  latencies = malloc(sizeof(double) * expected);

  pthread_t consumer;
  pthread_create(&consumer, NULL, consume, NULL);
  while (!consumer_ready) {
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  struct timespec settle = {2, 0}; /* the consumer finds the partition's end first */
  nanosleep(&settle, NULL);

  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
  rd_kafka_conf_set(conf, "acks", "all", err, sizeof err);
  rd_kafka_conf_set(conf, "linger.ms", "1", err, sizeof err);
  rd_kafka_conf_set(conf, "queue.buffering.max.messages", "1000000", err, sizeof err);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "producer: %s\n", err);
    return 1;
  }
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic_name, NULL);
  char payload[RECORD_BYTES];
  memset(payload, 'x', sizeof payload);
  double start = now_ms();
  for (long i = 0; i < expected; i++) {
    /* Pace: record i is due at start + i / rate. */
    double due = start + (double)i * 1000.0 / rate;
    double now;
    while ((now = now_ms()) < due) {
      rd_kafka_poll(rk, 0);
      if (due - now > 1) {
        struct timespec pause = {0, 200 * 1000};
        nanosleep(&pause, NULL);
      }
    }
    memcpy(payload, &now, sizeof now);
    while (rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, payload, sizeof payload, NULL, 0,
                            NULL) == -1)
      rd_kafka_poll(rk, 1);
  }
  double produced_ms = now_ms() - start;
  rd_kafka_flush(rk, 60000);
  pthread_join(consumer, NULL);
  qsort(latencies, received, sizeof(double), compare);
  if (received == 0) {
    fprintf(stderr, "nothing consumed\n");
    return 1;
  }
  printf("%ld records at %.0f records/s (asked %ld); end-to-end p50 %.1f ms, p99 %.1f ms, "
         "max %.1f ms\n",
         received, expected / produced_ms * 1000.0, rate, latencies[received / 2],
         latencies[(long)(received * 0.99)], latencies[received - 1]);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return 0;
}
