import Synchronization

/// Lends read-only connections to concurrent requests. A connection is used by one caller at a time;
/// the pool opens more on demand and keeps up to `maxIdle` for reuse.
public final class StorageReaderPool: Sendable {
    private let directory: DataDirectory
    private let maxIdle: Int
    private let idle: Mutex<[UnsafeTransfer<StorageReader>]> = Mutex([])

    public init(directory: DataDirectory, maxIdle: Int = 8) {
        self.directory = directory
        self.maxIdle = maxIdle
    }

    /// Runs `body` with a reader. Blocking: call it off the event loop (for example on a thread pool).
    public func withReader<T>(_ body: (StorageReader) throws -> T) throws -> T {
        let reader = try self.idle.withLock { $0.popLast()?.value } ?? StorageReader(directory: self.directory)
        defer {
            reader.db.resetAllStatements()
            self.idle.withLock { idle in
                if idle.count < self.maxIdle { idle.append(UnsafeTransfer(reader)) }
            }
        }
        return try body(reader)
    }
}

/// Moves a non-Sendable value between threads where the owner guarantees exclusive use.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
