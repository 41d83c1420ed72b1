/// Where things live in a data directory, and how each kind of process opens the database.
public struct DataDirectory: Sendable, Hashable {
    public var path: String

    public init(path: String) { self.path = path }

    public var databasePath: String { self.path + "/monolog.db" }
    /// The storage writer's Unix domain socket.
    public var writerSocketPath: String { self.path + "/writer.sock" }
    /// Held (flock) by the running storage writer, so a second one on the same directory refuses to start.
    public var writerLockPath: String { self.path + "/writer.lock" }
    /// Where a process serves its Prometheus metrics (`writer`, `kafka-gateway`); the HTTP gateway's
    /// `/metrics` reads each.
    public func metricsSocketPath(for process: String) -> String { self.path + "/\(process).metrics.sock" }
    /// The processes that serve metrics on a socket, in the order `/metrics` shows them.
    public static let processesWithMetricsSockets = ["writer", "kafka-gateway"]
}

extension SQLiteConnection {
    /// Opens the database read-only, as gateways and the retention worker do.
    public static func openForReading(_ directory: DataDirectory) throws(SQLiteError) -> SQLiteConnection {
        try SQLiteConnection(path: directory.databasePath, mode: .readOnly)
    }
}
