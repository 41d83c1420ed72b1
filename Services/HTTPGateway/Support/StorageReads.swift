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
}
