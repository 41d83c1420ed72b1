import Foundation
import MonologKafkaProtocol
import MonologTestSupport
import Testing

/// Leader epochs (KIP-320) on the real gateway: every partition is led in epoch 0 for ever, Metadata and
/// ListOffsets say so, OffsetForLeaderEpoch gives epoch 0's end (the log end), and a request that
/// claims a newer epoch gets UNKNOWN_LEADER_EPOCH.
@Suite struct KafkaLeaderEpochTests {
    @Test func epochZeroIsReportedAndEndsAtTheLogEnd() async throws {
        let broker = try await Broker.start()
        #expect(try await broker.post("/api/topics", #"{"name":"epochs","partitions":2}"#).status == 201)
        for value in ["a", "b", "c"] {
            #expect(try await broker.post("/api/topics/epochs/messages", #"{"value":"\#(value)","partition":0}"#).status == 200)
        }

        var metadataRequest = MetadataRequest()
        var wanted = MetadataRequest.MetadataRequestTopic()
        wanted.name = "epochs"
        metadataRequest.topics = [wanted]
        let metadata = try await kafkaExchange(port: broker.kafkaPort, metadataRequest, version: 9, as: MetadataResponse.self)
        #expect(metadata.topics.first?.partitions.map(\.leaderEpoch) == [0, 0])

        func ask(_ topic: String, _ partition: Int32, epoch: Int32, current: Int32 = 0) -> OffsetForLeaderEpochRequest.OffsetForLeaderTopic {
            var entry = OffsetForLeaderEpochRequest.OffsetForLeaderPartition()
            entry.partition = partition
            entry.leaderEpoch = epoch
            entry.currentLeaderEpoch = current
            var topicEntry = OffsetForLeaderEpochRequest.OffsetForLeaderTopic()
            topicEntry.topic = topic
            topicEntry.partitions = [entry]
            return topicEntry
        }
        var request = OffsetForLeaderEpochRequest()
        request.replicaId = -1
        request.topics = [
            ask("epochs", 0, epoch: 0), ask("epochs", 1, epoch: 0), ask("epochs", 0, epoch: 4),
            ask("epochs", 0, epoch: 0, current: 3), ask("epochs", 9, epoch: 0), ask("absent", 0, epoch: 0),
        ]
        let answers = try await kafkaExchange(port: broker.kafkaPort, request, version: 4, as: OffsetForLeaderEpochResponse.self)
            .topics.map { $0.partitions[0] }
        #expect(answers.map(\.errorCode) == [0, 0, 0, 75, 3, 3])
        #expect(answers[0].leaderEpoch == 0 && answers[0].endOffset == 3)
        #expect(answers[1].leaderEpoch == 0 && answers[1].endOffset == 0)
        #expect(answers[2].leaderEpoch == -1 && answers[2].endOffset == -1, "no epoch 4 exists")

        var listRequest = ListOffsetsRequest()
        listRequest.replicaId = -1
        var listTopic = ListOffsetsRequest.ListOffsetsTopic()
        listTopic.name = "epochs"
        var latest = ListOffsetsRequest.ListOffsetsPartition()
        latest.partitionIndex = 0
        latest.timestamp = -1
        latest.currentLeaderEpoch = 0
        listTopic.partitions = [latest]
        listRequest.topics = [listTopic]
        let listed = try await kafkaExchange(port: broker.kafkaPort, listRequest, version: 7, as: ListOffsetsResponse.self)
        #expect(listed.topics.first?.partitions.first?.leaderEpoch == 0)
        #expect(listed.topics.first?.partitions.first?.offset == 3)
        #expect(try await broker.stop() == 0)
        broker.removeFiles()
    }
}
