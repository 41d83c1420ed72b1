import Foundation
import MonologConfig
import MonologProcess
import MonologStorage
import NIOCore

/// How far Litestream's replica is behind, for `/metrics`. Litestream writes each change of the
/// database into a local LTX file (`<data-dir>/.monolog.db-litestream/ltx/0/MIN-MAX.ltx`, transaction ids
/// in hex) and ships it; for a `file://` replica the shipped files can be listed too, so what is made but
/// not shipped, and since when, can be read. Litestream 0.5 has no metric of its own for it. Other kinds
/// of replica report only Litestream's own metrics.
struct ReplicationProgress: Equatable {
    /// Bytes of LTX files made locally and not yet in the replica.
    var pendingBytes: Int
    /// The age of the oldest of them: how old the newest change is that a lost machine would cost.
    var lagSeconds: Double

    static func read(directory: DataDirectory, replicaDirectory: String, now: Date = Date()) -> ReplicationProgress {
        let local = directory.path + "/.monolog.db-litestream/ltx/0"
        let shipped = self.ltxFiles(inLevelsUnder: replicaDirectory + "/ltx").map(\.maxTXID).max() ?? 0
        let pending = self.ltxFiles(in: local).filter { $0.maxTXID > shipped }
        let oldest = pending.map(\.modified).min()
        return ReplicationProgress(
            pendingBytes: pending.reduce(0) { $0 + $1.bytes },
            lagSeconds: oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0
        )
    }

    struct LTXFile {
        var maxTXID: UInt64
        var bytes: Int
        var modified: Date
    }

    /// LTX files of every level (`ltx/0`, `ltx/1`, … `ltx/9`) under `root`.
    static func ltxFiles(inLevelsUnder root: String) -> [LTXFile] {
        let levels = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return levels.flatMap { self.ltxFiles(in: root + "/" + $0) }
    }

    static func ltxFiles(in folder: String) -> [LTXFile] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { name in
            guard name.hasSuffix(".ltx"), let dash = name.firstIndex(of: "-"),
                let maxTXID = UInt64(name[name.index(after: dash)...].dropLast(4), radix: 16),
                let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)
            else { return nil }
            return LTXFile(
                maxTXID: maxTXID, bytes: attributes[.size] as? Int ?? 0, modified: attributes[.modificationDate] as? Date ?? Date())
        }
    }
}

/// Litestream's own Prometheus metrics (`litestream_*`), from the address the supervisor gave it.
enum LitestreamMetrics {
    /// The `litestream_` lines of its exposition, or nil when it does not answer within a second.
    static func read(from address: ListenAddress) async -> String? {
        guard let socket = try? SocketAddress(ipAddress: address.connectHost, port: address.port) else { return nil }
        let request = ByteBuffer(string: "GET /metrics HTTP/1.0\r\nHost: \(address.description)\r\n\r\n")
        guard let answer = await SocketExchange.ask(socket, request: request, timeout: .seconds(1)) else { return nil }
        let text = String(buffer: answer)
        guard text.hasPrefix("HTTP/1.") && text.split(separator: " ", maxSplits: 2).dropFirst().first == "200",
            let body = text.range(of: "\r\n\r\n")
        else { return nil }
        return text[body.upperBound...].split(separator: "\n").filter { line in
            line.hasPrefix("litestream_") || line.hasPrefix("# HELP litestream_") || line.hasPrefix("# TYPE litestream_")
        }.map { $0 + "\n" }.joined()
    }
}
