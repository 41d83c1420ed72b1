#!/usr/bin/env python3
"""Kafka 3.9's topic configs and manual replica assignments, as admin tools use them, against a running
broker. Prints one JSON report.

    topic_configs.py --bootstrap HOST:PORT --http HOST:PORT --db DATA_DIR/monolog.db

confluent-kafka's AdminClient creates topics with Kafka's standard configs (compression.type, segment.bytes,
unclean.leader.election.enable, ...), alters message.format.version, describes every config with its
source and default, and is refused for values out of Kafka's ranges, unknown names and
remote.storage.enable=true. Then the configs at work: a compression.type=gzip topic (level 9) stores an
idempotent producer's uncompressed batches gzip-compressed, which read back unchanged; an uncompressed
topic stores zstd batches uncompressed; min.insync.replicas=2 refuses acks=all with NOT_ENOUGH_REPLICAS
but not acks=1. The stored batches' codecs are read from the database file (read-only). The HTTP API creates a
topic with the same configs and stores its messages in the topic's codec.

Manual replica assignments: confluent-kafka creates a topic with assignments on broker 0; kafka-python
sends what librdkafka will not (a partition count or replication factor beside assignments, gaps,
duplicate replicas, another broker), refused as Kafka refuses them; create_partitions with assignments.
"""
import argparse, json, sqlite3
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource,
                                   NewPartitions, NewTopic)


def error_name(error):
    return error.args[0].name() if error.args and hasattr(error.args[0], "name") else type(error).__name__


def outcome(future):
    try:
        future.result(15)
        return "ok"
    except Exception as error:
        return error_name(error)


def describe(admin, topic):
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    return admin.describe_configs([resource])[resource].result(15)


def stored_batches(db, topic):
    """(codec, gzip XFL byte or -1) of each stored batch of the topic, partition 0, in offset order."""
    connection = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        rows = connection.execute(
            "SELECT b.data FROM batches b JOIN topics t ON t.topic_id = b.topic_id WHERE t.name = ? ORDER BY b.base_offset",
            (topic,)).fetchall()
    finally:
        connection.close()
    batches = []
    for (data,) in rows:
        codec = int.from_bytes(data[21:23], "big") & 0x07
        batches.append([codec, data[61 + 8] if codec == 1 else -1])
    return batches


def read_all(bootstrap, topic):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "topic-configs-" + topic, "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, -2)])
    messages, idle = [], 0
    while idle < 4:
        message = consumer.poll(0.5)
        if message is None:
            idle += 1
        elif message.error() is None:
            messages.append([message.key().decode(), message.value().decode(),
                             [[k, v.decode()] for k, v in (message.headers() or [])]])
            idle = 0
    consumer.close()
    return messages


def produce(bootstrap, topic, settings, count):
    """Delivery outcome of each message: "ok" or the error's name."""
    producer = Producer(dict({"bootstrap.servers": bootstrap}, **settings))
    results = []

    def delivered(error, message):
        results.append("ok" if error is None else error.name())

    for i in range(count):
        producer.produce(topic, key=b"k%d" % i, value=b"value-%d " % i + b"x" * 200, partition=0,
                         headers=[("h", b"%d" % i)], on_delivery=delivered)
    producer.flush(20)
    return results


def confluent_checks(args, report):
    """Kafka's standard topic configs: created, described, altered, refused."""
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    standard = {"compression.type": "gzip", "compression.gzip.level": "9", "segment.bytes": "1048576",
                "unclean.leader.election.enable": "true", "min.cleanable.dirty.ratio": "0.25",
                "leader.replication.throttled.replicas": "0:0", "local.retention.ms": "-2"}
    report["create_standard"] = outcome(admin.create_topics([NewTopic("std", 1, config=standard)])["std"])
    entries = describe(admin, "std") if report["create_standard"] == "ok" else {}
    report["described_count"] = len(entries)
    def source(entry):
        return ConfigSource(entry.source).name

    report["described_set"] = {name: [entries[name].value, source(entries[name])]
                               for name in standard if name in entries}
    report["described_defaults"] = {name: [entries[name].value, source(entries[name])]
                                    for name in ("segment.ms", "message.format.version", "min.insync.replicas",
                                                 "compression.zstd.level", "remote.storage.enable", "preallocate",
                                                 "max.compaction.lag.ms") if name in entries}

    def alter(*entries):
        resource = ConfigResource(ConfigResource.Type.TOPIC, "std", incremental_configs=list(entries))
        return outcome(admin.incremental_alter_configs([resource])[resource])

    def set_(name, value):
        return ConfigEntry(name, value, incremental_operation=AlterConfigOpType.SET)

    resource = ConfigResource(ConfigResource.Type.TOPIC, "std", set_config=dict(standard, **{"message.format.version": "2.8"}))
    report["alter_message_format_version"] = outcome(admin.alter_configs([resource])[resource])
    report["after_alter"] = describe(admin, "std")["message.format.version"].value
    report["refused"] = {
        "segment.bytes=1": alter(set_("segment.bytes", "1")),
        "compression.type=brotli": alter(set_("compression.type", "brotli")),
        "compression.gzip.level=10": alter(set_("compression.gzip.level", "10")),
        "compression.zstd.level=23": alter(set_("compression.zstd.level", "23")),
        "min.cleanable.dirty.ratio=1.5": alter(set_("min.cleanable.dirty.ratio", "1.5")),
        "unclean.leader.election.enable=maybe": alter(set_("unclean.leader.election.enable", "maybe")),
        "message.format.version=9.9": alter(set_("message.format.version", "9.9")),
        "min.insync.replicas=0": alter(set_("min.insync.replicas", "0")),
        "remote.storage.enable=true": alter(set_("remote.storage.enable", "true")),
        "min.compaction.lag.ms>max": alter(set_("min.compaction.lag.ms", "10"), set_("max.compaction.lag.ms", "5")),
        "no.such.config": alter(set_("no.such.config", "1")),
    }
    report["create_remote_storage"] = outcome(
        admin.create_topics([NewTopic("tiered", 1, config={"remote.storage.enable": "true"})])["tiered"])
    report["accepted"] = {
        "remote.storage.enable=false": alter(set_("remote.storage.enable", "false")),
        "compression.gzip.level=-1": alter(set_("compression.gzip.level", "-1")),
        "message.format.version=0.10.2.1": alter(set_("message.format.version", "0.10.2.1")),
    }


def compression_checks(args, report):
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    admin.create_topics([NewTopic("gz", 1, config={"compression.type": "gzip", "compression.gzip.level": "9"})])["gz"].result(15)
    admin.create_topics([NewTopic("plain", 1, config={"compression.type": "uncompressed"})])["plain"].result(15)
    admin.create_topics([NewTopic("kept", 1)])["kept"].result(15)
    report["produce_gz"] = sorted(set(produce(args.bootstrap, "gz", {"enable.idempotence": True, "compression.type": "none"}, 50)))
    report["produce_plain"] = sorted(set(produce(args.bootstrap, "plain", {"compression.type": "zstd"}, 50)))
    report["produce_kept"] = sorted(set(produce(args.bootstrap, "kept", {"compression.type": "lz4"}, 50)))
    report["stored_gz"] = stored_batches(args.db, "gz")
    report["stored_plain"] = stored_batches(args.db, "plain")
    report["stored_kept"] = stored_batches(args.db, "kept")
    expected = [["k%d" % i, "value-%d " % i + "x" * 200, [["h", "%d" % i]]] for i in range(50)]
    report["read_gz_intact"] = read_all(args.bootstrap, "gz") == expected
    report["read_plain_intact"] = read_all(args.bootstrap, "plain") == expected


def min_insync_replicas_checks(args, report):
    """acks=all is refused once the topic asks for two in-sync replicas."""
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    admin.create_topics([NewTopic("isr", 1)])["isr"].result(15)
    report["isr_before"] = sorted(set(produce(args.bootstrap, "isr", {"acks": "all", "retries": 0}, 3)))
    resource = ConfigResource(ConfigResource.Type.TOPIC, "isr", incremental_configs=[
        ConfigEntry("min.insync.replicas", "2", incremental_operation=AlterConfigOpType.SET)])
    report["isr_alter"] = outcome(admin.incremental_alter_configs([resource])[resource])
    report["isr_acks_all"] = sorted(set(produce(args.bootstrap, "isr", {"acks": "all", "retries": 0}, 3)))
    report["isr_acks_1"] = sorted(set(produce(args.bootstrap, "isr", {"acks": 1, "retries": 0}, 3)))


def assignment_checks(args, report):
    """Manual replica assignments through librdkafka."""
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    report["create_assigned"] = outcome(admin.create_topics([NewTopic("assigned", 3, replica_assignment=[[0], [0], [0]])])["assigned"])
    topics = admin.list_topics(timeout=10).topics
    report["assigned_partitions"] = len(topics["assigned"].partitions) if "assigned" in topics else 0
    report["create_assigned_elsewhere"] = outcome(admin.create_topics([NewTopic("elsewhere", 1, replica_assignment=[[1]])])["elsewhere"])
    report["grow_assigned"] = outcome(admin.create_partitions([NewPartitions("assigned", 5, replica_assignment=[[0], [0]])])["assigned"])
    report["grow_too_few_assignments"] = outcome(admin.create_partitions([NewPartitions("assigned", 8, replica_assignment=[[0]])])["assigned"])
    report["grow_elsewhere"] = outcome(admin.create_partitions([NewPartitions("assigned", 6, replica_assignment=[[2]])])["assigned"])
    topics = admin.list_topics(timeout=10).topics
    report["assigned_partitions_after"] = len(topics["assigned"].partitions) if "assigned" in topics else 0


def http_checks(args, report):
    """The HTTP API takes the same configs, and builds its batches in the topic's codec."""
    import urllib.error, urllib.request

    def post(path, body):
        request = urllib.request.Request("http://%s%s" % (args.http, path), data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    report["http_create"] = post("/api/topics", {"name": "http-zstd", "configs": {"compression.type": "zstd",
                                                                                  "segment.ms": "3600000"}})
    report["http_produce"] = post("/api/topics/http-zstd/messages", [{"key": "k%d" % i, "value": "v" * 100} for i in range(20)])
    report["stored_http"] = stored_batches(args.db, "http-zstd")


def kafka_python_checks(args, report):
    from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)

    def create(name, **options):
        try:
            admin.create_topics({name: options})
            return "ok"
        except Exception as error:
            return type(error).__name__

    report["kp_assigned"] = create("kp-assigned", assignments={0: [0], 1: [0]})
    report["kp_with_partitions"] = create("kp-a", num_partitions=2, assignments={0: [0], 1: [0]})
    report["kp_with_replication_factor"] = create("kp-b", replication_factor=1, assignments={0: [0]})
    report["kp_gap"] = create("kp-c", assignments={0: [0], 2: [0]})
    report["kp_not_from_zero"] = create("kp-d", assignments={1: [0]})
    report["kp_duplicate_replica"] = create("kp-e", assignments={0: [0, 0]})
    report["kp_other_broker"] = create("kp-f", assignments={0: [0, 1]})
    report["kp_empty_replicas"] = create("kp-g", assignments={0: []})
    report["kp_topics"] = sorted(t for t in admin.list_topics() if t.startswith("kp-"))
    admin.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--http", required=True, help="HOST:PORT of the HTTP API")
    args = parser.parse_args()
    report = {}
    for checks in (confluent_checks, compression_checks, min_insync_replicas_checks, assignment_checks, http_checks,
                   kafka_python_checks):
        try:
            checks(args, report)
        except Exception as error:  # keep what was learnt; the test names the failure
            report[checks.__name__ + "_failed"] = "%s: %s" % (type(error).__name__, error)
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
