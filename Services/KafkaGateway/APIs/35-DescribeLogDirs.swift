import Foundation
import MonologConfig
import MonologKafkaProtocol
import MonologStorage
import NIOCore

/// DescribeLogDirs (key 35), versions 1–4 (Kafka 4 removed 0): the data directory as the one log dir,
/// with the bytes each partition's batches take in the database, and the file system's total and
/// free space (v4).
enum DescribeLogDirsAPI {
    static let entry = SupportedAPIs.Entry(apiKey: DescribeLogDirsRequest.apiKey, name: "DescribeLogDirs", minVersion: 1, maxVersion: 4, serve: serve)

    static func serve(_ request: KafkaRequest) throws {
        request.reply(
            self.respond(to: try request.decode(DescribeLogDirsRequest.self), version: request.version, context: request.gateway, on: request.eventLoop))
    }

    static func respond(to request: DescribeLogDirsRequest, version: Int16, context: KafkaGatewayContext, on eventLoop: any EventLoop) -> EventLoopFuture<
        DescribeLogDirsResponse
    > {
        let directory = URL(fileURLWithPath: context.settings.dataDirectory).standardizedFileURL.path
        return context.read(on: eventLoop) { reader in
            // nil topics: every partition of every topic.
            let wanted: [(TopicInfo, [Int32])] = try {
                guard let topics = request.topics else {
                    return try reader.topics().map { ($0, Array(0..<$0.partitionCount)) }
                }
                return try topics.compactMap { topic in
                    guard let info = try reader.topic(named: topic.topic) else { return nil }
                    return (info, topic.partitions.filter { $0 >= 0 && $0 < info.partitionCount })
                }
            }()
            var result = DescribeLogDirsResponse.DescribeLogDirsResult()
            result.logDir = directory
            result.topics = try wanted.map { info, partitions in
                var topic = DescribeLogDirsResponse.DescribeLogDirsTopic()
                topic.name = info.name
                topic.partitions = try partitions.map { index in
                    var partition = DescribeLogDirsResponse.DescribeLogDirsPartition()
                    partition.partitionIndex = index
                    partition.partitionSize = try reader.partitionSize(topicID: info.topicID, partition: index)
                    return partition
                }
                return topic
            }
            if version >= 4, let space = FileSystemSpace(path: directory) {
                result.totalBytes = space.total
                result.usableBytes = space.free
            }
            var response = DescribeLogDirsResponse()
            response.results = [result]
            return response
        }
    }
}

/// Total and available bytes of the file system holding a path (statvfs).
struct FileSystemSpace {
    var total: Int64
    var free: Int64

    init?(path: String) {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        self.total = Int64(stats.f_blocks) * Int64(stats.f_frsize)
        self.free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }
}
