#!/usr/bin/env python3
"""Strings keep their bytes (issue #21): protocol strings holding a NUL, through real clients against a
running broker with a topic of one partition. Prints one JSON report.

    strings.py --bootstrap HOST:PORT --topic T

- Offset metadata "Hello\\0world!" (12 bytes) committed by kafka-python and read back with OffsetFetch
  (the consumer's committed() and the admin client), in a group whose id holds a NUL too.
- A kafka-python group member whose client id and group instance id hold a NUL, as DescribeGroups
  reports them to kafka-python's admin client.
- A record header key holding a NUL, produced and consumed by kafka-python, with a value that is not
  UTF-8 (header values are bytes).
- A topic config value holding a NUL, which Kafka refuses (it is not a number), through
  kafka-python's admin client.

kafka-python, because it sends what it is given: confluent-kafka refuses a NUL in these strings before
sending ("embedded null character"), and librdkafka takes client ids and header keys as C strings.
"""
import argparse, json, time, traceback
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata, TopicPartition as KafkaTopicPartition

METADATA = "Hello\x00world!"


def kafka_python_group(args, report):
    """A member with a NUL in its group id, client id and instance id commits METADATA; the admin client
    describes the group while the member is in it, then fetches its offsets."""
    group, client_id, instance_id = "strings\x00group", "client\x00id", "instance\x00id"
    consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=group, client_id=client_id,
                             group_instance_id=instance_id, enable_auto_commit=False, auto_offset_reset="earliest")
    consumer.subscribe([args.topic])
    # A 3-second poll, as groups.py does: kafka-python 3.0.12 can lose a rejoin whose SyncGroup answer
    # comes after a shorter poll has returned (docs/COMPATIBILITY.md, findings).
    deadline = time.time() + 60
    while not consumer.assignment() and time.time() < deadline:
        consumer.poll(timeout_ms=3000)
    partition = KafkaTopicPartition(args.topic, 0)
    consumer.commit({partition: OffsetAndMetadata(5, METADATA, -1)})
    committed = consumer.committed(partition, metadata=True)
    report["kafka_python_metadata"] = {"offset": committed.offset, "metadata": committed.metadata}

    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)
    described = admin.describe_groups([group])
    report["described_groups"] = sorted(described)
    report["described_members"] = [{"client_id": member["client_id"], "group_instance_id": member["group_instance_id"]}
                                   for member in described.get(group, {}).get("members", [])]
    offsets = admin.list_group_offsets({group: None})
    report["admin_groups"] = sorted(offsets)
    report["admin_metadata"] = [value.metadata for _, value in sorted(offsets.get(group, {}).items())]
    admin.close()
    consumer.close()


def kafka_python_header(args, report):
    """A header key with a NUL and a header value that is not UTF-8 come back as they were sent."""
    producer = KafkaProducer(bootstrap_servers=args.bootstrap)
    producer.send(args.topic, key=b"k", value=b"v", partition=0, headers=[("h\x00key", b"\xff\x00\xfe")]).get(10)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, enable_auto_commit=False, consumer_timeout_ms=3000)
    consumer.assign([KafkaTopicPartition(args.topic, 0)])
    consumer.seek_to_beginning()
    headers = [list(record.headers) for record in consumer]
    consumer.close()
    report["headers"] = [[[key, value.hex()] for key, value in record] for record in headers]


def config_with_nul(args):
    """retention.ms "36\\0000": Kafka parses the value as a long and refuses it (INVALID_CONFIG)."""
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap)
    topic = NewTopic(args.topic + "-config", 1, 1, topic_configs={"retention.ms": "36\x00000"})
    try:
        admin.create_topics([topic], raise_errors=True)
        return "ok"
    except Exception as error:
        return type(error).__name__
    finally:
        admin.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    args = parser.parse_args()
    report = {"errors": []}
    for scenario in (kafka_python_group, kafka_python_header):
        try:
            scenario(args, report)
        except Exception as error:
            report["errors"].append("%s: %s" % (scenario.__name__, traceback.format_exc(limit=3)))
    report["config_with_nul"] = config_with_nul(args)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
