import Hummingbird
import MonologStorage
import NIOPosix

/// Runs blocking SQLite reads on a thread pool, off the event loops that serve HTTP.
struct StorageReads: Sendable {
    let pool: StorageReaderPool
    let threads: NIOThreadPool

    func run<T: Sendable>(_ body: @escaping @Sendable (StorageReader) throws -> T) async throws -> T {
        let pool = self.pool
        return try await self.threads.runIfActive { try pool.withReader(body) }
    }

    /// The topic, or a 404 in the common error shape.
    func requireTopic(_ name: String) async throws -> TopicInfo {
        guard let topic = try await self.run({ try $0.topic(named: name) }) else { throw APIError.unknownTopic(name) }
        return topic
    }
}
