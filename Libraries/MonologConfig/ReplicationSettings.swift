import Foundation

/// Continuous replication of the database with Litestream (off unless a replica is named). The
/// supervisor runs `litestream replicate` as one more supervised service; while it does, Litestream and
/// not the storage writer checkpoints the WAL (see docs/OPERATIONS.md).
public struct ReplicationSettings: Hashable, Sendable {
    /// Where Litestream ships the WAL: a `file://`, `s3://`, `gs://`, `abs://`, `sftp://`, `webdav://`,
    /// `nats://` or `oss://` URL (an absolute path is taken as `file://`). Litestream 0.5 replicates a
    /// database to one replica. nil: replication is off.
    public var replica: String?
    /// How often Litestream ships new WAL frames: what a lost machine can cost.
    public var syncInterval: Duration = .seconds(1)
    /// The `litestream` executable; nil: found on PATH.
    public var litestreamBinary: String?
    /// Where Litestream serves its Prometheus metrics, which the HTTP gateway's `/metrics` includes;
    /// nil: the supervisor picks a free loopback port when it starts.
    public var metricsAddress: ListenAddress?

    public init() {}

    public var isEnabled: Bool { self.replica != nil }

    /// The URL schemes Litestream 0.5 has replica clients for.
    public static let schemes = ["file", "s3", "gs", "abs", "sftp", "webdav", "webdavs", "nats", "oss"]

    /// The replica as a URL: an absolute path becomes `file://PATH`; nil when it is neither an
    /// absolute path nor a URL with a scheme Litestream knows.
    public static func replicaURL(_ text: String) -> String? {
        if text.hasPrefix("/") { return "file://" + text }
        guard let scheme = text.range(of: "://").map({ String(text[..<$0.lowerBound]).lowercased() }), Self.schemes.contains(scheme),
            text.count > scheme.count + 3
        else { return nil }
        return text
    }

    /// The directory of a `file://` replica, where its shipped files can be read; nil for other kinds.
    public var replicaDirectory: String? {
        guard let replica, replica.lowercased().hasPrefix("file://") else { return nil }
        return String(replica.dropFirst("file://".count))
    }
}
