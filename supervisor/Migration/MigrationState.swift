import Foundation

/// The offset maps of one migration (one source data directory to one target cluster), kept in a file
/// so that an interrupted run resumes where it stopped and a later run (or `--follow`) translates group
/// offsets through the whole history. The file is a log of JSON lines, one per copied batch, appended
/// and fsynced after the target acknowledged the batch and before the next is sent: a crash loses at
/// most the line of the batch in flight, which `PartitionCopier` recovers from the target's end offset.
/// A torn last line (a crash while appending) is ignored on load.
final class MigrationState {
    struct PartitionKey: Hashable, Comparable, CustomStringConvertible {
        var topic: String
        var partition: Int32
        var description: String { "\(self.topic)/\(self.partition)" }
        static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
    }

    /// One line of the file.
    private struct Entry: Codable {
        var topic: String
        var partition: Int32
        /// [source first, target first, count] per run.
        var runs: [[Int64]]
        var source_next: Int64
    }

    let path: String
    private(set) var maps: [PartitionKey: OffsetMap] = [:]
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let existed = FileManager.default.fileExists(atPath: path)
        if existed, let data = FileManager.default.contents(atPath: path) {
            let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() where !line.isEmpty {
                guard let entry = try? JSONDecoder().decode(Entry.self, from: Data(line)) else {
                    // Only the last line may be torn (a crash while appending); one before it is damage.
                    guard number == lines.count - 1 else {
                        throw MigrationError("the state file \(path) is damaged at line \(number + 1); it cannot tell what was copied")
                    }
                    continue
                }
                let runs = entry.runs.filter { $0.count == 3 }.map { OffsetMap.Run(sourceFirst: $0[0], targetFirst: $0[1], count: $0[2]) }
                self.maps[PartitionKey(topic: entry.topic, partition: entry.partition), default: OffsetMap()].append(runs, sourceNext: entry.source_next)
            }
        }
        // Checked on a local descriptor and stored last: an initializer that throws once every
        // property is set runs deinit, which would close the descriptor a second time (by then
        // perhaps another thread's file).
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw MigrationError("cannot open the state file \(path): \(String(cString: strerror(errno)))") }
        // Two runs writing one map would each think the other's batches were someone else's.
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw MigrationError("another migrate is using \(path); one at a time per target")
        }
        // Cut a torn last line off, or the next entry would be appended to it and be lost with it.
        if existed, let data = FileManager.default.contents(atPath: path), !data.isEmpty, data.last != UInt8(ascii: "\n") {
            let whole = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
            guard ftruncate(descriptor, off_t(whole)) == 0 else {
                close(descriptor)
                throw MigrationError("cannot repair the state file \(path): \(String(cString: strerror(errno)))")
            }
        }
        self.descriptor = descriptor
        if !existed { try? DatabaseBackup.fsync(path: folder.isEmpty ? "." : folder) }
    }

    deinit { close(self.descriptor) }

    func map(_ key: PartitionKey) -> OffsetMap { self.maps[key] ?? OffsetMap() }

    /// Whether this migration has begun copying the partition (and so wrote whatever the target holds).
    func knows(_ key: PartitionKey) -> Bool { self.maps[key] != nil }

    /// Appends a copied batch's runs and the source offset the copy continues from, durably.
    func record(_ key: PartitionKey, runs: [OffsetMap.Run], sourceNext: Int64) throws {
        let entry = Entry(topic: key.topic, partition: key.partition, runs: runs.map { [$0.sourceFirst, $0.targetFirst, $0.count] }, source_next: sourceNext)
        var line = try JSONEncoder().encode(entry)
        line.append(UInt8(ascii: "\n"))
        let written = line.withUnsafeBytes { write(self.descriptor, $0.baseAddress, $0.count) }
        guard written == line.count, fdatasync(self.descriptor) == 0 else {
            throw MigrationError("cannot write the state file \(self.path): \(String(cString: strerror(errno)))")
        }
        self.maps[key, default: OffsetMap()].append(runs, sourceNext: sourceNext)
    }
}

/// Why a migration stopped.
struct MigrationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
