#!/usr/bin/env python3
"""Topic and broker configs, the cluster and its disk, through both Python admin clients, against a
running broker whose retention worker checks often. Prints one JSON report.

    configs.py --bootstrap HOST:PORT

confluent-kafka's AdminClient: describe_cluster, describe_configs (topic and broker), alter_configs,
incremental_alter_configs (SET, DELETE, APPEND, SUBTRACT), refusals, list_offsets. kafka-python's
KafkaAdminClient: describe_cluster, describe_configs, describe_log_dirs, describe_producers,
list_partition_offsets, delete_records. Then the configs at work: retention.ms=1000 empties a topic of
its old batches, cleanup.policy=compact keeps only the latest value of each key.
"""
import argparse, json, time
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewTopic,
                                   OffsetSpec)


def error_name(error):
    return error.args[0].name() if error.args and hasattr(error.args[0], "name") else type(error).__name__


def outcome(future):
    try:
        future.result(15)
        return "ok"
    except Exception as error:
        return error_name(error)


def topic_configs(admin, topic):
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    entries = admin.describe_configs([resource])[resource].result(15)
    return {name: {"value": e.value, "source": e.source.name if hasattr(e.source, "name") else str(e.source),
                   "default": e.is_default, "read_only": e.is_read_only} for name, e in entries.items()}


def produce(bootstrap, topic, pairs, separate_batches=False):
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for key, value in pairs:
        producer.produce(topic, key=key, value=value, partition=0)
        if separate_batches:
            producer.flush(10)
    producer.flush(10)


def read_all(bootstrap, topic):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "configs-reader", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, -2)])
    messages, idle = [], 0
    while idle < 3:
        message = consumer.poll(0.5)
        if message is None:
            idle += 1
        elif message.error() is None:
            messages.append((message.key(), message.value()))
            idle = 0
    consumer.close()
    return messages


def confluent_checks(args, report):
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    cluster = admin.describe_cluster().result(15)
    report["cluster"] = {"id": cluster.cluster_id, "controller": cluster.controller.id,
                         "nodes": [(n.id, n.host, n.port) for n in cluster.nodes]}

    admin.create_topics([NewTopic("cfg", 1)])["cfg"].result(15)
    before = topic_configs(admin, "cfg")
    honoured_before_issue_21 = ("cleanup.policy", "delete.retention.ms", "max.message.bytes", "message.timestamp.type",
                                "retention.bytes", "retention.ms")
    report["defaults"] = {name: before[name]["value"] for name in honoured_before_issue_21 if name in before}
    report["defaults_are_default"] = all(not entry["read_only"] for entry in before.values())
    report["retention_source_before"] = before["retention.ms"]["source"]

    resource = ConfigResource(ConfigResource.Type.TOPIC, "cfg", set_config={"retention.ms": "3600000", "max.message.bytes": "5000"})
    report["alter"] = outcome(admin.alter_configs([resource])[resource])
    altered = topic_configs(admin, "cfg")
    report["after_alter"] = {"retention.ms": altered["retention.ms"]["value"], "max.message.bytes": altered["max.message.bytes"]["value"],
                             "source": altered["retention.ms"]["source"]}
    # AlterConfigs replaces the whole set: retention.ms goes back to its default when left out.
    resource = ConfigResource(ConfigResource.Type.TOPIC, "cfg", set_config={"max.message.bytes": "6000"})
    report["alter_replace"] = outcome(admin.alter_configs([resource])[resource])
    replaced = topic_configs(admin, "cfg")
    report["after_replace"] = {"retention.ms": replaced["retention.ms"]["source"], "max.message.bytes": replaced["max.message.bytes"]["value"]}

    def incremental(*entries):
        resource = ConfigResource(ConfigResource.Type.TOPIC, "cfg", incremental_configs=list(entries))
        return outcome(admin.incremental_alter_configs([resource])[resource])

    report["append"] = incremental(ConfigEntry("cleanup.policy", "compact", incremental_operation=AlterConfigOpType.APPEND))
    report["after_append"] = topic_configs(admin, "cfg")["cleanup.policy"]["value"]
    report["subtract"] = incremental(ConfigEntry("cleanup.policy", "delete", incremental_operation=AlterConfigOpType.SUBTRACT))
    report["after_subtract"] = topic_configs(admin, "cfg")["cleanup.policy"]["value"]
    report["set_and_delete"] = incremental(
        ConfigEntry("message.timestamp.type", "LogAppendTime", incremental_operation=AlterConfigOpType.SET),
        ConfigEntry("max.message.bytes", None, incremental_operation=AlterConfigOpType.DELETE))
    final = topic_configs(admin, "cfg")
    report["after_set_and_delete"] = {"message.timestamp.type": final["message.timestamp.type"]["value"],
                                      "max.message.bytes": final["max.message.bytes"]["value"]}
    report["bad_value"] = incremental(ConfigEntry("retention.ms", "soon", incremental_operation=AlterConfigOpType.SET))
    report["unknown_name"] = incremental(ConfigEntry("no.such.config", "1", incremental_operation=AlterConfigOpType.SET))
    report["append_to_scalar"] = incremental(ConfigEntry("retention.ms", "5", incremental_operation=AlterConfigOpType.APPEND))
    report["unknown_topic"] = outcome(admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "nope")])[
        ConfigResource(ConfigResource.Type.TOPIC, "nope")])

    broker = ConfigResource(ConfigResource.Type.BROKER, "0")
    entries = admin.describe_configs([broker])[broker].result(15)
    report["broker"] = {name: entries[name].value for name in ("num.partitions", "auto.create.topics.enable", "log.retention.ms",
                                                              "message.max.bytes", "broker.id") if name in entries}
    report["broker_read_only"] = all(e.is_read_only for e in entries.values())
    resource = ConfigResource(ConfigResource.Type.BROKER, "0", set_config={"num.partitions": "3"})
    report["alter_broker"] = outcome(admin.alter_configs([resource])[resource])

    # ListOffsets through the AdminClient: earliest, latest, by timestamp, max timestamp.
    admin.create_topics([NewTopic("offsets", 1)])["offsets"].result(15)
    producer = Producer({"bootstrap.servers": args.bootstrap})
    now = int(time.time() * 1000)
    report["timestamps"] = [now - 3000, now - 2000, now - 1000]
    for i, timestamp in enumerate(report["timestamps"]):
        producer.produce("offsets", value=b"%d" % i, partition=0, timestamp=timestamp)
        producer.flush(10)
    specs = {"earliest": OffsetSpec.earliest(), "latest": OffsetSpec.latest(), "between_first_and_second": OffsetSpec.for_timestamp(now - 2500),
             "max_timestamp": OffsetSpec.max_timestamp()}
    report["list_offsets"] = {}
    for name, spec in specs.items():
        result = admin.list_offsets({TopicPartition("offsets", 0): spec})[TopicPartition("offsets", 0)].result(15)
        report["list_offsets"][name] = [result.offset, result.timestamp]


def kafka_python_checks(args, report):
    from kafka import TopicPartition as KTopicPartition
    from kafka.admin import ConfigResource as KConfigResource, ConfigResourceType, KafkaAdminClient
    from kafka.admin import OffsetSpec as KOffsetSpec
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)
    cluster = admin.describe_cluster()
    report["kp_cluster"] = {"id": cluster.get("cluster_id"), "controller": cluster.get("controller_id"),
                            "brokers": len(cluster.get("brokers", []))}
    described = admin.describe_configs([KConfigResource(ConfigResourceType.TOPIC, "cfg")])
    report["kp_cleanup_policy"] = described["topic"]["cfg"]["cleanup.policy"]["value"]
    report["kp_cleanup_policy_source"] = described["topic"]["cfg"]["cleanup.policy"]["config_source"]

    produce(args.bootstrap, "cfg", [(b"k", b"v")] * 3)
    dirs = admin.describe_log_dirs()[0]["log_dirs"][0]
    sizes = {t["name"]: [p["partition_size"] for p in t["partitions"]] for t in dirs["topics"]}
    report["kp_log_dir"] = {"cfg_size": sizes.get("cfg"), "total_bytes_positive": dirs["total_bytes"] > 0,
                            "usable_at_most_total": 0 < dirs["usable_bytes"] <= dirs["total_bytes"]}
    states = admin.describe_producers([KTopicPartition("cfg", 0)])[KTopicPartition("cfg", 0)].active_producers
    report["kp_producers"] = [{"epoch": s.producer_epoch, "last_sequence": s.last_sequence,
                               "recent": s.last_timestamp > (time.time() - 60) * 1000} for s in states]
    offsets = admin.list_partition_offsets({KTopicPartition("offsets", 0): KOffsetSpec.LATEST})
    report["kp_latest"] = offsets[KTopicPartition("offsets", 0)].offset
    deleted = admin.delete_records({KTopicPartition("offsets", 0): 2})
    report["kp_low_watermark"] = deleted[KTopicPartition("offsets", 0)]["low_watermark"]
    admin.close()


def configs_at_work(args, report):
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    # retention.ms=1000: batches older than a second go at the retention worker's next pass.
    admin.create_topics([NewTopic("short-lived", 1, config={"retention.ms": "1000"})])["short-lived"].result(15)
    produce(args.bootstrap, "short-lived", [(b"k%d" % i, b"v") for i in range(5)], separate_batches=True)
    deadline, emptied = time.time() + 20, False
    while time.time() < deadline and not emptied:
        low, high = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "wm"}).get_watermark_offsets(
            TopicPartition("short-lived", 0), timeout=5)
        emptied = low == high == 5
        time.sleep(0.3)
    report["retention_emptied"] = emptied

    # cleanup.policy=compact: only each key's latest value stays.
    admin.create_topics([NewTopic("compacted", 1, config={"cleanup.policy": "compact"})])["compacted"].result(15)
    first = [(b"k%d" % i, b"old-%d" % i) for i in range(5)]
    second = [(b"k%d" % i, b"new-%d" % i) for i in range(5)]
    produce(args.bootstrap, "compacted", first, separate_batches=True)
    produce(args.bootstrap, "compacted", second, separate_batches=True)
    deadline, remaining = time.time() + 20, []
    while time.time() < deadline:
        remaining = read_all(args.bootstrap, "compacted")
        if len(remaining) == 5:
            break
        time.sleep(0.5)
    report["compacted"] = sorted(value.decode() for _, value in remaining)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", required=True)
    args = parser.parse_args()
    report = {}
    confluent_checks(args, report)
    kafka_python_checks(args, report)
    configs_at_work(args, report)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
