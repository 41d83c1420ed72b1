#!/usr/bin/env python3
"""Drives confluent-kafka's AdminClient against a broker and prints what happened as JSON: topic creation
(with a config, a duplicate, a bad config, validate_only), delete_records and delete_topics.

    admin.py --bootstrap HOST:PORT
"""
import argparse, json, os, time
from confluent_kafka import TIMESTAMP_LOG_APPEND_TIME, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic


def outcome(future):
    try:
        future.result(10)
        return "ok"
    except Exception as error:
        return error.args[0].name() if error.args and hasattr(error.args[0], "name") else str(error)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    args = parser.parse_args()
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    report = {}
    report["create"] = outcome(admin.create_topics([NewTopic("admin-a", 3, config={"retention.ms": "60000"})])["admin-a"])
    report["create_again"] = outcome(admin.create_topics([NewTopic("admin-a", 3)])["admin-a"])
    report["bad_config"] = outcome(admin.create_topics([NewTopic("admin-b", 1, config={"retention.ms": "soon"})])["admin-b"])
    report["unknown_config"] = outcome(admin.create_topics([NewTopic("admin-b", 1, config={"segment.bytes": "1"})])["admin-b"])
    report["validate_only"] = outcome(admin.create_topics([NewTopic("admin-v", 2)], validate_only=True)["admin-v"])
    topics = admin.list_topics(timeout=10).topics
    report["partitions"] = len(topics["admin-a"].partitions) if "admin-a" in topics else 0
    report["validate_only_created"] = "admin-v" in topics

    producer = Producer({"bootstrap.servers": args.bootstrap})
    for i in range(10):
        producer.produce("admin-a", value=b"%d" % i, partition=0)
    producer.flush(10)
    deleted = admin.delete_records([TopicPartition("admin-a", 0, 5)])
    report["low_watermark"] = list(deleted.values())[0].result(10).low_watermark
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "unused", "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.assign([TopicPartition("admin-a", 0, -2)])  # OFFSET_BEGINNING
    message = None
    for _ in range(20):
        message = consumer.poll(1.0)
        if message is not None and message.error() is None:
            break
    report["first_offset_after_delete"] = message.offset() if message is not None and message.error() is None else None
    consumer.close()

    # CreatePartitions: grow 3 → 5 (and produce to the new partition), refuse shrinking, an unknown
    # topic and a foreign broker in a manual assignment; validate_only changes nothing.
    report["grow"] = outcome(admin.create_partitions([NewPartitions("admin-a", 5)])["admin-a"])
    report["partitions_after_grow"] = len(admin.list_topics("admin-a", timeout=10).topics["admin-a"].partitions)
    delivered = []
    producer.list_topics("admin-a", timeout=10)  # the producer learns of the new partitions
    producer.produce("admin-a", value=b"new", partition=4, on_delivery=lambda err, msg: delivered.append(err is None))
    producer.flush(10)
    report["produced_to_new_partition"] = delivered == [True]
    report["shrink"] = outcome(admin.create_partitions([NewPartitions("admin-a", 2)])["admin-a"])
    report["grow_unknown"] = outcome(admin.create_partitions([NewPartitions("admin-none", 4)])["admin-none"])
    report["grow_foreign_broker"] = outcome(admin.create_partitions([NewPartitions("admin-a", 6, [[7]])])["admin-a"])
    report["grow_validate_only"] = outcome(admin.create_partitions([NewPartitions("admin-a", 8)], validate_only=True)["admin-a"])
    report["partitions_after_validate_only"] = len(admin.list_topics("admin-a", timeout=10).topics["admin-a"].partitions)

    # Topic configs the broker enforces: message.timestamp.type=LogAppendTime stamps the broker's time
    # over the producer's; max.message.bytes refuses a larger batch with MESSAGE_TOO_LARGE.
    configs = {"message.timestamp.type": "LogAppendTime", "max.message.bytes": "2048"}
    report["create_log_append"] = outcome(admin.create_topics([NewTopic("admin-t", 1, config=configs)])["admin-t"])
    stamped, before = [], int(time.time() * 1000)
    plain = Producer({"bootstrap.servers": args.bootstrap, "compression.type": "none"})
    plain.produce("admin-t", value=b"old", timestamp=1000, on_delivery=lambda err, msg: stamped.append((err, msg.timestamp())))
    plain.flush(10)  # its own batch: the large one below fails its whole batch
    plain.produce("admin-t", value=os.urandom(4000), on_delivery=lambda err, msg: stamped.append((err, msg.timestamp())))
    plain.flush(10)
    (first_error, (first_type, first_time)), (large_error, _) = stamped
    report["log_append_type"] = first_type == TIMESTAMP_LOG_APPEND_TIME and first_error is None
    report["log_append_time_is_now"] = before - 1000 <= first_time <= int(time.time() * 1000) + 1000
    report["too_large"] = large_error.name() if large_error else "ok"
    reader = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "unused", "enable.auto.commit": False})
    reader.assign([TopicPartition("admin-t", 0, -2)])
    message = None
    for _ in range(20):
        message = reader.poll(1.0)
        if message is not None and message.error() is None:
            break
    report["consumed_log_append_time"] = message is not None and message.timestamp() == (TIMESTAMP_LOG_APPEND_TIME, first_time)
    reader.close()

    report["delete"] = outcome(admin.delete_topics(["admin-a"])["admin-a"])
    report["delete_again"] = outcome(admin.delete_topics(["admin-a"])["admin-a"])
    report["exists_after_delete"] = "admin-a" in admin.list_topics(timeout=10).topics
    print(json.dumps(report))


if __name__ == "__main__":
    main()
