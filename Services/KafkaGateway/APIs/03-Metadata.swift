import MonologConfig
import MonologKafkaProtocol
import MonologStorage
import MonologWriterClient
import MonologWriterProtocol
import NIOCore

/// Metadata (key 3), versions 0–9: the broker (this one), the cluster id, and each topic's partitions,
/// all led by node 0. A requested topic that does not exist is created when auto-creation is on (and,
/// from v4, the client allows it), with the default partition count; otherwise it is reported as
/// UNKNOWN_TOPIC_OR_PARTITION. Invalid names get INVALID_TOPIC_EXCEPTION.
enum MetadataAPI {
    static let entry = SupportedAPIs.Entry(apiKey: MetadataRequest.apiKey, name: "Metadata", minVersion: 0, maxVersion: 9, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(self.respond(to: try request.decode(MetadataRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: MetadataRequest, version: Int16, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        MetadataResponse
    > {
        // v0: an empty list means every topic; v1+: null means every topic and an empty list none.
        let wanted: [String]? = request.topics.map { topics in topics.compactMap(\.name) }
        let everyTopic = wanted == nil || (version == 0 && wanted?.isEmpty == true)
        let mayCreate = context.autoCreateTopics && (version < 4 || request.allowAutoTopicCreation)
        let missing: EventLoopFuture<[String]> =
            everyTopic || !mayCreate
            ? eventLoop.makeSucceededFuture([])
            : context.read(on: eventLoop) { reader in (wanted ?? []).filter { TopicName.isValid($0) && (try? reader.topic(named: $0)) == nil } }
        return missing.flatMap { names in
            let creations = names.map { name in
                context.writer.submit(CreateTopic(name: name, partitionCount: context.defaultPartitions, ifNotExists: true), on: eventLoop)
                    .map { _ in () }.recover { _ in () }  // a failure shows below as an unknown topic
            }
            return EventLoopFuture.andAllComplete(creations, on: eventLoop)
        }.flatMap {
            context.read(on: eventLoop) { reader in
                try reader.snapshot { try self.response(wanted: everyTopic ? nil : wanted ?? [], reader: reader, context: context) }
            }
        }
    }

    static func response(wanted: [String]?, reader: StorageReader, context: KafkaGatewayContext) throws -> MetadataResponse {
        var response = MetadataResponse()
        var broker = MetadataResponse.MetadataResponseBroker()
        broker.nodeId = KafkaGatewayContext.nodeID
        broker.host = context.advertisedAddress.host
        broker.port = Int32(context.advertisedAddress.port)
        response.brokers = [broker]
        response.clusterId = context.clusterID
        response.controllerId = KafkaGatewayContext.nodeID
        let topics = try reader.topics()
        let byName = Dictionary(uniqueKeysWithValues: topics.map { ($0.name, $0) })
        response.topics = try (wanted ?? topics.map(\.name)).map { name in
            var topic = MetadataResponse.MetadataResponseTopic()
            topic.name = name
            guard TopicName.isValid(name) else {
                topic.errorCode = KafkaErrorCode.invalidTopicException
                return topic
            }
            guard let info = byName[name] else {
                topic.errorCode = KafkaErrorCode.unknownTopicOrPartition
                return topic
            }
            topic.partitions = try reader.partitionOffsets(topicID: info.topicID).map { offsets in
                var partition = MetadataResponse.MetadataResponsePartition()
                partition.partitionIndex = offsets.partition
                partition.leaderId = KafkaGatewayContext.nodeID
                // Known, so clients such as franz-go and Java validate positions with OffsetForLeaderEpoch.
                partition.leaderEpoch = KafkaGatewayContext.leaderEpoch
                partition.replicaNodes = [KafkaGatewayContext.nodeID]
                partition.isrNodes = [KafkaGatewayContext.nodeID]
                return partition
            }
            return topic
        }
        return response
    }
}
